import { Context, Effect, Layer, PubSub } from "effect"
import type {
  ApiKeyRecord,
  Guild,
  GuildFeatureState,
  GuildId,
  HeldAddOn,
  Override,
  PolicyChange,
  Rule,
  Tenant,
  TenantId
} from "../../core/index.js"

/** The tables of the in-memory store, shared by the memory repositories. */
export interface MemoryTables {
  readonly tenants: Map<TenantId, Tenant>
  /** Keyed by `${tenantId}/${guildId}`, like the (tenant_id, guild_id) primary key. */
  readonly guilds: Map<string, Guild>
  /** Which tenant has each guild installed right now. */
  readonly guildDirectory: Map<GuildId, TenantId>
  readonly apiKeys: Map<string, ApiKeyRecord>
  /** Keyed by guildKey, then by feature key. */
  readonly guildFeatures: Map<string, Map<string, GuildFeatureState>>
  /** Keyed by guildKey, then by rule id. */
  readonly rules: Map<string, Map<string, Rule>>
  /** Keyed by tenant, then by override id. */
  readonly overrides: Map<TenantId, Map<string, Override>>
  /** Keyed by tenant, then by add-on key. */
  readonly heldAddOns: Map<TenantId, Map<string, HeldAddOn>>
  /** The kill switches that are on. */
  readonly killSwitches: Set<string>
  /** Keyed by guildKey; a guild's policy version adds the platform's. */
  readonly policyVersions: Map<string, number>
  readonly platformPolicyVersion: { value: number }
}

export interface MemoryStoreService {
  readonly tables: MemoryTables
  /** Runs `effect` alone: the memory store's stand-in for a serializable transaction. */
  readonly atomically: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Where policy writes announce what changed, once they have succeeded (PolicyStoreMemory's `changes`). */
  readonly policyChanges: PubSub.PubSub<PolicyChange>
}

export class MemoryStore extends Context.Tag("adapters/memory/MemoryStore")<MemoryStore, MemoryStoreService>() {
  static readonly layer = Layer.effect(
    MemoryStore,
    Effect.all([Effect.makeSemaphore(1), PubSub.unbounded<PolicyChange>()]).pipe(
      Effect.map(([lock, policyChanges]) => ({
        tables: {
          tenants: new Map(),
          guilds: new Map(),
          guildDirectory: new Map(),
          apiKeys: new Map(),
          guildFeatures: new Map(),
          rules: new Map(),
          overrides: new Map(),
          heldAddOns: new Map(),
          killSwitches: new Set(),
          policyVersions: new Map(),
          platformPolicyVersion: { value: 0 }
        },
        atomically: lock.withPermits(1),
        policyChanges
      }))
    )
  )
}

export const guildKey = (tenantId: TenantId, guildId: GuildId): string => `${tenantId}/${guildId}`
