import { Context, type Effect, type Option, type Stream } from "effect"
import type { PolicySource } from "../guardrail/PolicySource.js"
import type { GuildId } from "../ids.js"

/** Where guild policies are read from, and how this process hears that one changed. */
export interface PolicyStoreService {
  /** The guild's policy sources in one round trip; None when no tenant has the guild installed. */
  readonly load: (guildId: GuildId) => Effect.Effect<Option.Option<PolicySource>>
  /**
   * Guilds whose policy changed, here or in another replica (Postgres
   * LISTEN/NOTIFY; in process on PGlite and memory). Snapshot caches drop them.
   */
  readonly changes: Stream.Stream<GuildId>
}

export class PolicyStore extends Context.Tag("core/PolicyStore")<PolicyStore, PolicyStoreService>() {}
