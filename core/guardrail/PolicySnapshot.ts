import { DateTime } from "effect"
import type { GuildId, TenantId, UserId } from "../ids.js"
import { type Entitlements, resolveEntitlements } from "../plans/Entitlements.js"
import type { PlanCatalogService } from "../plans/PlanCatalog.js"
import type { Rule } from "../rbac/Rule.js"
import { platformDefaults, resolveSettings } from "../tenancy/GuildConfig.js"
import type { GuildFeatureState, PolicySource } from "./PolicySource.js"

/**
 * Everything the guardrail reads about one guild, resolved once when it is
 * loaded. Built once and never changed (frozen): the fast engine compiles it
 * into a decision table of its own (internal/DecisionTable.ts), owned by the
 * PolicyCache, and never writes to it.
 */
export interface PolicySnapshot {
  readonly tenantId: TenantId
  readonly guildId: GuildId
  readonly ownerId: UserId
  /** The policy version it was built from. */
  readonly version: number
  readonly entitlements: Entitlements
  /** Features switched on in this guild (essential features are on whatever this says). */
  readonly enabledFeatures: ReadonlySet<string>
  /** The guild's platform and tenant rules, as stored. */
  readonly rules: ReadonlyArray<Rule>
  readonly modRoleIds: ReadonlySet<string>
  readonly adminRoleIds: ReadonlySet<string>
  /** Kill switch "*": every command is stopped. */
  readonly killAll: boolean
  /** Feature keys stopped by a kill switch. */
  readonly killedFeatures: ReadonlySet<string>
  /** The catalog the entitlements came from: upgrade hints name its cheapest plan with a flag. */
  readonly catalog: PlanCatalogService
  readonly builtAt: DateTime.Utc
  /** When an add-on or override in effect expires: the snapshot must be rebuilt then. null: never. */
  readonly validUntil: DateTime.Utc | null
  /** The guild's stored feature states by key (configs as stored): gateway events read configs from here. */
  readonly featureStates: ReadonlyMap<string, GuildFeatureState>
}

/**
 * Builds a guild's snapshot from what the PolicyStore loaded. Settings come
 * from platform defaults ← plan ← tenant ← guild config, so mod and admin
 * roles can be set at any of those layers.
 */
export const buildSnapshot = (
  source: PolicySource,
  catalog: PlanCatalogService,
  now: DateTime.Utc
): PolicySnapshot => {
  const { guild, tenant } = source
  const entitlements = resolveEntitlements({
    tenant,
    guildId: guild.guildId,
    plans: catalog.plansByKey,
    addOns: catalog.addOnsByKey,
    held: source.held,
    overrides: source.overrides,
    now
  })
  const settings = resolveSettings({
    platform: platformDefaults,
    plan: catalog.plansByKey.get(entitlements.planKey)?.guildDefaults,
    tenant: tenant.guildDefaults,
    guild: guild.config
  })
  return Object.freeze({
    tenantId: tenant.id,
    guildId: guild.guildId,
    ownerId: guild.ownerId,
    version: source.version,
    entitlements,
    enabledFeatures: new Set(source.features.filter((f) => f.enabled).map((f) => f.featureKey)),
    // Defensive: a rule of another guild must never leak into this one.
    rules: source.rules.filter((rule) => rule.guildId === guild.guildId),
    modRoleIds: new Set(settings.modRoleIds),
    adminRoleIds: new Set(settings.adminRoleIds),
    killAll: source.killSwitches.includes("*"),
    killedFeatures: new Set(source.killSwitches.filter((key) => key !== "*")),
    catalog,
    builtAt: now,
    validUntil: entitlements.validUntil,
    featureStates: new Map(source.features.map((state) => [state.featureKey, state]))
  })
}

/** Whether the snapshot may still be used at `now`. */
export const isSnapshotCurrent = (snapshot: PolicySnapshot, now: DateTime.Utc): boolean =>
  snapshot.validUntil === null || DateTime.lessThan(now, snapshot.validUntil)
