import { Context, type Effect } from "effect"
import type { AllGuilds } from "./PolicyStore.js"

/** "*" stops every command; a feature key stops that feature's commands. */
export type KillSwitchKey = AllGuilds | string

/**
 * The operator's platform-wide kill switches. A write bumps every guild's
 * policy version and announces `allGuilds` in the same transaction.
 */
export interface KillSwitchRepoService {
  /** Turns the switch on or off; setting it to its current state still bumps and announces. */
  readonly set: (key: KillSwitchKey, on: boolean) => Effect.Effect<void>
  /** The switches that are on, by key. */
  readonly list: Effect.Effect<ReadonlyArray<KillSwitchKey>>
}

export class KillSwitchRepo extends Context.Tag("core/KillSwitchRepo")<KillSwitchRepo, KillSwitchRepoService>() {}
