import { Context, type Effect, type Option } from "effect"
import type { SetupProgress } from "../bot/SetupProgress.js"
import type { GuildId, TenantId } from "../ids.js"

export interface SetupProgressRepoService {
  /** Where the guild's admin is in /setup; none: they have not started. */
  readonly get: (tenantId: TenantId, guildId: GuildId) => Effect.Effect<Option.Option<SetupProgress>>
  /** Creates or replaces the guild's progress. */
  readonly save: (progress: SetupProgress) => Effect.Effect<void>
}

export class SetupProgressRepo extends Context.Tag("core/SetupProgressRepo")<
  SetupProgressRepo,
  SetupProgressRepoService
>() {}
