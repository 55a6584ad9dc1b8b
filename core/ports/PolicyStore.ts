import { Context, type Effect, type Option, type Stream } from "effect"
import type { PolicySource } from "../guardrail/PolicySource.js"
import type { GuildId } from "../ids.js"

/** Announced when every guild's policy changed at once (a platform kill switch). */
export const allGuilds = "*"
export type AllGuilds = typeof allGuilds

/** What a policy change names: one guild, or every guild. */
export type PolicyChange = GuildId | AllGuilds

/** Where guild policies are read from, and how this process hears that one changed. */
export interface PolicyStoreService {
  /** The guild's policy sources in one round trip; None when no tenant has the guild installed. */
  readonly load: (guildId: GuildId) => Effect.Effect<Option.Option<PolicySource>>
  /**
   * Guilds whose policy changed, here or in another replica (Postgres
   * LISTEN/NOTIFY; in process on PGlite and memory), or `allGuilds`. Snapshot
   * caches drop them. Each run of the stream is a subscription of its own; a
   * change is announced after the write that made it is visible to `load`.
   */
  readonly changes: Stream.Stream<PolicyChange>
}

export class PolicyStore extends Context.Tag("core/PolicyStore")<PolicyStore, PolicyStoreService>() {}
