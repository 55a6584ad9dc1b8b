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
import type { TablePlacement } from "./TableArena.js"

/**
 * The parts of a guild's decision table that `decide` reads only when they
 * decide (the words themselves sit in the table arena, see DecisionTable.ts).
 */
export interface DecisionTable {
  /** The registry whose ordinals index the words: a snapshot decided through another registry gets a table of its own. */
  readonly registry: Pick<FeatureRegistryService, "commands">
  /** Per entry: its id, and the rule it stands for (undefined for the level record's entries). */
  readonly ids: ReadonlyArray<string>
  readonly rules: ReadonlyArray<Rule | undefined>
  /** Per command ordinal: the denial of stages 1–3, or null when they pass. */
  readonly denials: ReadonlyArray<Deny | null>
  /** RULE_DENIED denials built so far, by entry, so a repeated denial allocates nothing. */
  readonly ruleDenials: Array<Deny | undefined>
}

/** Everything `decide` reads about one guild, precomputed so a decision is a few lookups. */
export interface PolicySnapshot extends TablePlacement {
  /**
   * What `decide` worked out for every command, built on the snapshot's
   * first decision (see DecisionTable.ts); it never changes an answer. The
   * fields `decide` reads on every call come first, so they share the
   * snapshot's first cache line: the registry the table was built for, and
   * (from TablePlacement) the arena chunk and the table's base in it.
   */
  decisionRegistry: Pick<FeatureRegistryService, "commands"> | undefined
  decisionTable: DecisionTable | undefined
  readonly tenantId: TenantId
  readonly guildId: GuildId
  readonly ownerId: UserId
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

const noWords = new Int32Array(0)

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
    decisionRegistry: undefined,
    decisionWords: noWords,
    decisionBase: 0,
    decisionTable: undefined,
    tenantId: tenant.id,
    guildId: guild.guildId,
    ownerId: guild.ownerId,
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
