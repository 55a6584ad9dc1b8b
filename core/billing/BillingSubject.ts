import { Schema } from "effect"
import { GuildId, RoleId, TenantId, UserId } from "../ids.js"
import { PlanKey } from "../plans/Plan.js"

/** A tenant paying the operator for a plan (Stripe). */
export const TenantPlanSubject = Schema.TaggedStruct("TenantPlan", {
  tenantId: TenantId,
  /** The plan the payment is for; an upgrade or downgrade changes it on the same subscription. */
  planKey: PlanKey
})
export type TenantPlanSubject = typeof TenantPlanSubject.Type

/** A member paying a guild for a role (Polar, SePay or Stripe). */
export const MemberRoleSubject = Schema.TaggedStruct("MemberRole", {
  tenantId: TenantId,
  guildId: GuildId,
  roleId: RoleId,
  userId: UserId
})
export type MemberRoleSubject = typeof MemberRoleSubject.Type

/** What a payment buys. */
export const BillingSubject = Schema.Union(TenantPlanSubject, MemberRoleSubject)
export type BillingSubject = typeof BillingSubject.Type

/**
 * The key of the one subscription a subject has within its tenant: a tenant
 * has one plan subscription (upgrades change its plan), a member one per
 * guild role.
 */
export const subjectKey = (subject: BillingSubject): string =>
  subject._tag === "TenantPlan" ? "plan" : `role:${subject.guildId}:${subject.roleId}:${subject.userId}`
