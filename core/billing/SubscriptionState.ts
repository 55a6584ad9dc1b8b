import { Schema } from "effect"
import { PlanKey } from "../plans/Plan.js"
import type { BillingEffect } from "./BillingEffect.js"
import { BillingProvider } from "./BillingEvent.js"
import { BillingSubject } from "./BillingSubject.js"

/**
 * Where a subscription stands. past_due is the grace period (full access);
 * read_only exists for tenant plans only; canceled means canceled at period
 * end (access continues until then); refunded is final like ended.
 */
export const SubscriptionStatus = Schema.Literal(
  "pending",
  "trialing",
  "active",
  "past_due",
  "read_only",
  "canceled",
  "ended",
  "refunded"
)
export type SubscriptionStatus = typeof SubscriptionStatus.Type

export class SubscriptionState extends Schema.Class<SubscriptionState>("SubscriptionState")({
  subject: BillingSubject,
  status: SubscriptionStatus,
  provider: BillingProvider,
  /** The provider's id for the subscription or order. */
  correlationId: Schema.String,
  /** The provider's customer, when it has one (Stripe). */
  customerId: Schema.NullOr(Schema.String),
  /** Tenant plans: the plan paid for. */
  planKey: Schema.NullOr(PlanKey),
  currentPeriodEnd: Schema.NullOr(Schema.DateTimeUtc),
  cancelAtPeriodEnd: Schema.Boolean,
  /** The newest provider version applied (epoch ms); older events are ignored. */
  version: Schema.Number,
  /** Counts the transitions that changed this state; timers carry the revision that armed them. */
  revision: Schema.Int,
  /** Member roles: whether the role is granted now (as far as the effects issued say). */
  roleGranted: Schema.Boolean,
  /** Tenant plans: whether the tenant was put into read-only by this subscription. */
  readOnly: Schema.Boolean,
  graceEndsAt: Schema.NullOr(Schema.DateTimeUtc),
  readOnlyEndsAt: Schema.NullOr(Schema.DateTimeUtc),
  updatedAt: Schema.DateTimeUtc
}) {}

/** A transition's result: the new state, and what the outside world must do about it. */
export interface Transition {
  readonly state: SubscriptionState
  readonly effects: ReadonlyArray<BillingEffect>
}
