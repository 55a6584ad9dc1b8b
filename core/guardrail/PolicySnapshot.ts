import { DateTime } from "effect"
import type { FeatureRegistryService } from "../features/FeatureRegistry.js"
import type { GuildId, TenantId, UserId } from "../ids.js"
import { type Entitlements, resolveEntitlements } from "../plans/Entitlements.js"
import type { PlanCatalogService } from "../plans/PlanCatalog.js"
import { type CompiledRules, compileRules } from "../rbac/CompiledRules.js"
import type { Rule } from "../rbac/Rule.js"
import { platformDefaults, resolveSettings } from "../tenancy/GuildConfig.js"
import type { Deny } from "./Decision.js"
import type { GuildFeatureState, PolicySource } from "./PolicySource.js"

/**
 * Everything `decide` reads from one guild's snapshot, for every command of
 * one registry, in one array of small integers. With 10,000 guilds a warm
 * decision costs the memory it touches, not its arithmetic, and each object
 * on the way is a cache miss that waits for the one before it; so a decision
 * goes snapshot → table → words and reads a Rule or a Deny only when one decides.
 *
 * `words[command.ordinal]` is PASSES, DENIED_BY_PLATFORM or
 * DENIED_BY_ENTITLEMENT (see DecisionTable.ts; the Deny is in
 * `denials[ordinal]`), or the offset of the command's record:
 * `words[offset]` is where the record ends, `words[offset + 1]` the index in
 * `rules` of its first rule, then its rule groups as in `CommandRules.codes`
 * (see matchRuleGroups).
 */
export interface DecisionTable {
  /** The registry whose ordinals index `words`: a snapshot decided through another registry gets a table of its own. */
  readonly registry: Pick<FeatureRegistryService, "commands">
  readonly words: Int32Array
  readonly rules: ReadonlyArray<Rule>
  readonly denials: ReadonlyArray<Deny | null>
  /** RULE_DENIED denials built so far per ordinal, by the deciding rule, so a repeated denial allocates nothing. */
  readonly ruleDenials: Array<Map<Rule, Deny> | undefined>
}

/** Everything `decide` reads about one guild, precomputed so a decision is a few lookups. */
export interface PolicySnapshot {
  readonly tenantId: TenantId
  readonly guildId: GuildId
  readonly ownerId: UserId
  /**
   * What `decide` worked out for every command, built on its first decision
   * (see DecisionTable); never changes an answer. Declared (and built) next
   * to ownerId, which `decide` also reads, so both sit in the snapshot's
   * first cache line.
   */
  decisionTable: DecisionTable | undefined
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
    decisionTable: undefined,
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
