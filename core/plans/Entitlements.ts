import { DateTime } from "effect"
import type { GuildId } from "../ids.js"
import type { Tenant } from "../tenancy/Tenant.js"
import type { AddOn, HeldAddOn } from "./AddOn.js"
import type { Override } from "./Override.js"
import { isUnlimited, type LimitKey, type PartialLimits, type Plan, type PlanKey, type PlanLimits } from "./Plan.js"

/**
 * What the tenant's state leaves usable:
 * - full: everything the plan (and add-ons, overrides) include;
 * - read_only: features with access "write" are removed;
 * - essential_only: (suspended, offboarding) only "essential" features (setup, billing);
 * - none: (retired) nothing: the hosted runner no longer serves the tenant.
 */
export type EntitlementAccess = "full" | "read_only" | "essential_only" | "none"

/** What one guild of one tenant may use right now. */
export interface Entitlements {
  readonly planKey: PlanKey
  /** Plan feature flags in effect (a feature's `requires` must be among them). */
  readonly features: ReadonlySet<string>
  readonly limits: PlanLimits
  readonly access: EntitlementAccess
  /** When an override or add-on in effect expires (the entitlements must be resolved again then); null: never. */
  readonly validUntil: DateTime.Utc | null
}

/** Everything `Entitlements.resolve` merges; all of it is read in the snapshot's one round trip. */
export interface EntitlementSources {
  readonly tenant: Tenant
  /** The guild being resolved, or null for the tenant as a whole. */
  readonly guildId: GuildId | null
  readonly plans: ReadonlyMap<string, Plan>
  readonly addOns: ReadonlyMap<string, AddOn>
  readonly held: ReadonlyArray<HeldAddOn>
  /** The tenant's overrides (tenant-wide and per guild; others' guilds are ignored). */
  readonly overrides: ReadonlyArray<Override>
  readonly now: DateTime.Utc
}

const noLimits: PlanLimits = { maxGuilds: 0, commandsPerMinute: 0, aiTokensPerDay: 0, maxPaidRoles: 0 }

const accessOf = (status: Tenant["status"]): EntitlementAccess =>
  status === "active"
    ? "full"
    : status === "read_only"
    ? "read_only"
    : status === "retired"
    ? "none"
    : "essential_only"

const isActive = (expiresAt: DateTime.Utc | null, now: DateTime.Utc) =>
  expiresAt === null || DateTime.greaterThan(expiresAt, now)

const addLimit = (base: number, extra: number): number => isUnlimited(base) || isUnlimited(extra) ? -1 : base + extra

const applyLimits = (
  limits: PlanLimits,
  change: PartialLimits,
  combine: (current: number, value: number) => number
): PlanLimits => {
  const next = { ...limits }
  for (const key of Object.keys(change) as Array<LimitKey>) {
    const value = change[key]
    if (value !== undefined) next[key] = combine(next[key], value)
  }
  return next
}

/**
 * What a tenant's guild may use now: the plan (or the plan an override puts
 * in its place), plus held add-ons (flags added, limits added per unit),
 * plus overrides (flags added, limits set; guild overrides after the tenant's,
 * each group oldest first), narrowed by the tenant's state. Expired add-ons
 * and overrides count for nothing. An unknown plan grants nothing (fail closed).
 */
export const resolveEntitlements = (sources: EntitlementSources): Entitlements => {
  const { now, tenant } = sources
  const overrides = sources.overrides
    .filter((o) => o.tenantId === tenant.id && isActive(o.expiresAt, now))
    .filter((o) => o.guildId === null || o.guildId === sources.guildId)
    .sort((a, b) =>
      a.guildId === null && b.guildId !== null
        ? -1
        : a.guildId !== null && b.guildId === null
        ? 1
        : a.createdAt.epochMillis - b.createdAt.epochMillis
    )
  const held = sources.held.filter((h) => h.tenantId === tenant.id && isActive(h.expiresAt, now))

  const planKey = overrides.reduce<PlanKey>((key, o) => o.planKey ?? key, tenant.planKey)
  const plan = sources.plans.get(planKey)
  const features = new Set(plan?.features ?? [])
  let limits = plan?.limits ?? noLimits

  for (const holding of held) {
    const addOn = sources.addOns.get(holding.addOnKey)
    if (!addOn) continue
    addOn.features.forEach((flag) => features.add(flag))
    limits = applyLimits(limits, addOn.limits, (current, value) => addLimit(current, value * holding.quantity))
  }
  for (const override of overrides) {
    override.features.forEach((flag) => features.add(flag))
    limits = applyLimits(limits, override.limits, (_, value) => value)
  }

  const expiries = [...overrides.map((o) => o.expiresAt), ...held.map((h) => h.expiresAt)].filter(
    (at): at is DateTime.Utc => at !== null
  )
  const validUntil = expiries.length === 0 ? null : expiries.reduce((a, b) => (DateTime.lessThan(a, b) ? a : b))

  const access = accessOf(tenant.status)
  return { planKey, features: access === "none" ? new Set() : features, limits, access, validUntil }
}
