import { Context, Effect, Layer } from "effect"
import type { ApiKeyRecord, Guild, GuildId, Tenant, TenantId } from "../../core/index.js"

/** The tables of the in-memory store, shared by the memory repositories. */
export interface MemoryTables {
  readonly tenants: Map<TenantId, Tenant>
  /** Keyed by `${tenantId}/${guildId}`, like the (tenant_id, guild_id) primary key. */
  readonly guilds: Map<string, Guild>
  /** Which tenant has each guild installed right now. */
  readonly guildDirectory: Map<GuildId, TenantId>
  readonly apiKeys: Map<string, ApiKeyRecord>
}

export interface MemoryStoreService {
  readonly tables: MemoryTables
  /** Runs `effect` alone: the memory store's stand-in for a serializable transaction. */
  readonly atomically: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export class MemoryStore extends Context.Tag("adapters/memory/MemoryStore")<MemoryStore, MemoryStoreService>() {
  static readonly layer = Layer.effect(
    MemoryStore,
    Effect.map(Effect.makeSemaphore(1), (lock) => ({
      tables: { tenants: new Map(), guilds: new Map(), guildDirectory: new Map(), apiKeys: new Map() },
      atomically: lock.withPermits(1)
    }))
  )
}

export const guildKey = (tenantId: TenantId, guildId: GuildId): string => `${tenantId}/${guildId}`
