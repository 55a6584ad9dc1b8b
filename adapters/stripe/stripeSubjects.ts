import { Option, Schema } from "effect"
import {
  type BillingSubject,
  GuildId,
  type PlanCatalogService,
  PlanKey,
  type ProviderSubscriptionStatus,
  RoleId,
  TenantId,
  UserId
} from "../../core/index.js"

// What a Stripe object says in our terms: its subscription status, and the
// subject (a tenant's plan or a member's role) its metadata or price names.

/** Stripe's statuses, normalized: unpaid is still recoverable (past_due); canceled and incomplete_expired are over. */
export const stripeStatus = (status: string): ProviderSubscriptionStatus | null => {
  switch (status) {
    case "incomplete":
      return "incomplete"
    case "trialing":
      return "trialing"
    case "active":
      return "active"
    case "past_due":
    case "unpaid":
      return "past_due"
    case "paused":
      return "paused"
    case "canceled":
    case "incomplete_expired":
      return "ended"
    default:
      return null
  }
}

export type Metadata = Readonly<Record<string, string>> | null | undefined

const decode = <A, I>(schema: Schema.Schema<A, I>) => (value: string | null | undefined): Option.Option<A> =>
  value === null || value === undefined ? Option.none() : Schema.decodeUnknownOption(schema)(value)

export const tenantOf = (metadata: Metadata, clientReferenceId: string | null = null): TenantId | null =>
  Option.getOrNull(decode(TenantId)(metadata?.["tenant_id"] ?? clientReferenceId))

/**
 * The plan a subscription is for. The price wins over `metadata.plan_key`:
 * a plan change (ours or in the customer portal) moves the price but leaves
 * the metadata written at checkout.
 */
const planOf = (plans: PlanCatalogService, metadata: Metadata, priceId: string | null): PlanKey | null => {
  const byPrice = priceId === null ? undefined : plans.all.find((plan) => plan.stripePriceId === priceId)
  return byPrice?.key ?? Option.getOrNull(decode(PlanKey)(metadata?.["plan_key"]))
}

/**
 * `{ tenant_id, guild_id, role_id, user_id }` is a member's role;
 * `{ tenant_id, plan_key }` (or a price of a catalog plan) a tenant's plan.
 * Checkout's client_reference_id stands in for a missing tenant_id.
 */
export const subjectOf = (
  plans: PlanCatalogService,
  metadata: Metadata,
  options: { readonly priceId?: string | null; readonly clientReferenceId?: string | null } = {}
): BillingSubject | null => {
  const tenantId = tenantOf(metadata, options.clientReferenceId ?? null)
  if (tenantId === null) return null
  const guildId = decode(GuildId)(metadata?.["guild_id"])
  const roleId = decode(RoleId)(metadata?.["role_id"])
  const userId = decode(UserId)(metadata?.["user_id"])
  if (Option.isSome(guildId) && Option.isSome(roleId) && Option.isSome(userId)) {
    return { _tag: "MemberRole", tenantId, guildId: guildId.value, roleId: roleId.value, userId: userId.value }
  }
  const planKey = planOf(plans, metadata, options.priceId ?? null)
  return planKey === null ? null : { _tag: "TenantPlan", tenantId, planKey }
}
