import { DateTime } from "effect"
import type { ResolvedCommand } from "../features/FeatureRegistry.js"
import type { GuildId, TenantId, UserId } from "../ids.js"
import { type Entitlements, resolveEntitlements } from "../plans/Entitlements.js"
import type { PlanCatalogService } from "../plans/PlanCatalog.js"
import { type CompiledRules, compileRules } from "../rbac/CompiledRules.js"
import type { CommandRules } from "../rbac/evaluateRules.js"
import type { Rule } from "../rbac/Rule.js"
import { platformDefaults, resolveSettings } from "../tenancy/GuildConfig.js"
import type { Deny } from "./Decision.js"
import type { GuildFeatureState, PolicySource } from "./PolicySource.js"

/**
 * What `decide` has worked out from this snapshot for one command: it depends
 * only on the snapshot and the command, so it is built once (lazily) and a
 * warm decision reaches all of it through one Map lookup. With 10,000 guilds
 * the cost of a decision is cache misses, not arithmetic, so this keeps the
 * per-decision walk to a few objects: no chain of Maps per stage or per scope.
 * Stage 4's candidate rules (`codes` and `rules`, see rulesForCommand) are
 * held in the plan itself rather than in an object of their own: one pointer
 * fewer to chase per decision. Empty: no rule applies to this command.
 */
export interface CommandPlan extends CommandRules {
  /** Stage 1, what the snapshot decides (kill switch, suspension); null: passes. */
  readonly platform: Deny | null
  /** Stages 2–3 (plan, read-only, toggle); null: passes. */
  readonly entitlementOrToggle: Deny | null
  /** RULE_DENIED denials built so far, by the deciding rule, so a repeated denial allocates nothing. */
  readonly ruleDenials: Map<Rule, Deny>
}

/** Everything `decide` reads about one guild, precomputed so a decision is a few lookups. */
export interface PolicySnapshot {
  readonly tenantId: TenantId
  readonly guildId: GuildId
  readonly ownerId: UserId
  /**
   * `decide`'s plan per command, filled lazily; never changes an answer.
   * Declared (and built) next to ownerId, which `decide` also reads, so both
   * sit in the snapshot's first cache line.
   */
  readonly plans: Map<ResolvedCommand, CommandPlan>
  /** The policy version it was built from. */
  readonly version: number
  readonly entitlements: Entitlements
  /** Features switched on in this guild (essential features are on whatever this says). */
  readonly enabledFeatures: ReadonlySet<string>
  readonly rules: CompiledRules
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
  return {
    tenantId: tenant.id,
    guildId: guild.guildId,
    ownerId: guild.ownerId,
    plans: new Map(),
    version: source.version,
    entitlements,
    enabledFeatures: new Set(source.features.filter((f) => f.enabled).map((f) => f.featureKey)),
    // Defensive: a rule of another guild must never leak into this one.
    rules: compileRules(source.rules.filter((rule) => rule.guildId === guild.guildId)),
    modRoleIds: new Set(settings.modRoleIds),
    adminRoleIds: new Set(settings.adminRoleIds),
    killAll: source.killSwitches.includes("*"),
    killedFeatures: new Set(source.killSwitches.filter((key) => key !== "*")),
    catalog,
    builtAt: now,
    validUntil: entitlements.validUntil,
    featureStates: new Map(source.features.map((state) => [state.featureKey, state]))
  }
}

/** Whether the snapshot may still be used at `now`. */
export const isSnapshotCurrent = (snapshot: PolicySnapshot, now: DateTime.Utc): boolean =>
  snapshot.validUntil === null || DateTime.lessThan(now, snapshot.validUntil)
