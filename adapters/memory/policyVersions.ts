import { Effect, PubSub } from "effect"
import type { GuildId, PolicyChange, TenantId } from "../../core/index.js"
import { guildKey, type MemoryStoreService, type MemoryTables } from "./MemoryStore.js"

/**
 * How the memory repositories change policy: the write and its version bumps
 * happen under the store's lock, and the announcement goes out only after
 * the write succeeded, as a committed NOTIFY does on Postgres.
 */

/** Bumps the guild's policy version; false when the tenant has no such guild (installed or removed). */
export const bumpGuild = (tables: MemoryTables, tenantId: TenantId, guildId: GuildId): boolean => {
  const key = guildKey(tenantId, guildId)
  if (!tables.guilds.has(key)) return false
  tables.policyVersions.set(key, (tables.policyVersions.get(key) ?? 0) + 1)
  return true
}

/** Bumps every guild of the tenant and returns them. */
export const bumpTenant = (tables: MemoryTables, tenantId: TenantId): ReadonlyArray<GuildId> =>
  Array.from(tables.guilds.values())
    .filter((guild) => guild.tenantId === tenantId && bumpGuild(tables, tenantId, guild.guildId))
    .map((guild) => guild.guildId)

/** What a write returns, and what it changed. */
export type Written<A> = readonly [result: A, changed: ReadonlyArray<PolicyChange>]

/** Runs `write` atomically and then announces the changes it returns along with its result. */
export const writePolicy = <A, E, R>(
  store: MemoryStoreService,
  write: Effect.Effect<Written<A>, E, R>
): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    store.atomically(write),
    ([result, changed]) => Effect.as(PubSub.publishAll(store.policyChanges, changed), result)
  )
