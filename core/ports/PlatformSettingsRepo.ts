import { Context, type Effect, type Option } from "effect"

/**
 * Platform-wide values kept in the database so every replica reads the same
 * one (a generated secret, say). Belongs to no tenant.
 */
export interface PlatformSettingsRepoService {
  /**
   * The stored value of `key`; when there is none, stores `candidate` and
   * answers it. Atomic: replicas racing on an empty key all get the first value stored.
   */
  readonly getOrInsert: (key: string, candidate: string) => Effect.Effect<string>
  readonly get: (key: string) => Effect.Effect<Option.Option<string>>
  /** Creates or replaces `key`'s value. */
  readonly put: (key: string, value: string) => Effect.Effect<void>
}

export class PlatformSettingsRepo extends Context.Tag("core/PlatformSettingsRepo")<
  PlatformSettingsRepo,
  PlatformSettingsRepoService
>() {}
