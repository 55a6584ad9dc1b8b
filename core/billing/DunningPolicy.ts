import { Schema } from "effect"
import { type Plan, PlanKey } from "../plans/Plan.js"

const Days = Schema.Int.pipe(Schema.nonNegative())

/**
 * What happens when a payment fails: `graceDays` with full access, then (tenant
 * plans only) `readOnlyDays` read-only, then the subscription ends. Tenant
 * plans take theirs from the plan (Plan.dunning), paid roles from the role.
 */
export const DunningPolicy = Schema.Struct({
  graceDays: Days,
  readOnlyDays: Days,
  /** The plan a tenant falls back to when its paid plan ends. */
  fallbackPlanKey: PlanKey
})
export type DunningPolicy = typeof DunningPolicy.Type

export const freePlanKey = PlanKey.make("free")

export const dunningPolicyForPlan = (plan: Plan): DunningPolicy => ({
  graceDays: plan.dunning.graceDays,
  readOnlyDays: plan.dunning.readOnlyDays,
  fallbackPlanKey: freePlanKey
})

/** A paid role's grace when the role is gone from the catalog (PaidRoleInput's default). */
export const defaultRoleGraceDays = 3

/** Paid roles have no read-only stage: grace, then the role is revoked. */
export const dunningPolicyForRole = (graceDays: number): DunningPolicy => ({
  graceDays,
  readOnlyDays: 0,
  fallbackPlanKey: freePlanKey
})
