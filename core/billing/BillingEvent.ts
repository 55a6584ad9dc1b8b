import { Schema } from "effect"
import { PlanKey } from "../plans/Plan.js"
import { BillingSubject } from "./BillingSubject.js"
import { Money } from "./Money.js"

/** Who reported an event: a payment provider, or Guildhall's own timers. */
export const BillingProvider = Schema.Literal("stripe", "polar", "sepay", "guildhall")
export type BillingProvider = typeof BillingProvider.Type

/** The fields every normalized event carries. */
const common = {
  provider: BillingProvider,
  /** The provider's id for the event (unique per provider): what duplicates are recognised by. */
  providerEventId: Schema.NonEmptyTrimmedString,
  occurredAt: Schema.DateTimeUtc,
  subject: BillingSubject,
  /** The provider's id for the thing paid for (subscription, order, checkout), for support and logs. */
  correlationId: Schema.String,
  amount: Schema.NullOr(Money)
}

export const CheckoutCompleted = Schema.TaggedStruct("checkout.completed", {
  ...common,
  /** The provider's customer (Stripe customer id), kept for the portal and metered usage. */
  customerId: Schema.NullOr(Schema.String)
})

export const PaymentSucceeded = Schema.TaggedStruct("payment.succeeded", {
  ...common,
  /** Access is paid until then: a period's end, or a SePay pass's expiry. Null when unknown. */
  paidThrough: Schema.NullOr(Schema.DateTimeUtc)
})

export const PaymentFailed = Schema.TaggedStruct("payment.failed", {
  ...common,
  /** The customer must act (3-D Secure, an expired card), not just wait for a retry. */
  requiresAction: Schema.Boolean
})

/** A provider's subscription status, normalized (Stripe's unpaid is past_due; its canceled is ended). */
export const ProviderSubscriptionStatus = Schema.Literal(
  "incomplete",
  "trialing",
  "active",
  "past_due",
  "paused",
  "ended"
)
export type ProviderSubscriptionStatus = typeof ProviderSubscriptionStatus.Type

export const SubscriptionStateChanged = Schema.TaggedStruct("subscription.state_changed", {
  ...common,
  status: ProviderSubscriptionStatus,
  currentPeriodEnd: Schema.NullOr(Schema.DateTimeUtc),
  /** Canceled by the customer but paid (and usable) until currentPeriodEnd. */
  cancelAtPeriodEnd: Schema.Boolean,
  /** The provider object's timestamp in epoch milliseconds: an older version than the applied one is ignored. */
  version: Schema.Number,
  /** For tenant plans: the plan the provider's subscription is now for (a plan change), when known. */
  planKey: Schema.NullOr(PlanKey)
})

export const TrialWillEnd = Schema.TaggedStruct("subscription.trial_will_end", {
  ...common,
  trialEnd: Schema.DateTimeUtc
})

export const RefundIssued = Schema.TaggedStruct("refund.issued", common)

export const DisputeOpened = Schema.TaggedStruct("dispute.opened", common)

/** The timers a transition arms with ScheduleAt. */
export const TimerKind = Schema.Literal("grace_ended", "read_only_ended", "period_ended")
export type TimerKind = typeof TimerKind.Type

/**
 * A timer a transition armed, fired by the job runner (provider "guildhall").
 * It applies only while the subscription is still at the revision that armed
 * it: any later change disarms it.
 */
export const TimerFired = Schema.TaggedStruct("timer.fired", {
  ...common,
  timer: TimerKind,
  armedAtRevision: Schema.Int
})
export type TimerFired = typeof TimerFired.Type

export const BillingEvent = Schema.Union(
  CheckoutCompleted,
  PaymentSucceeded,
  PaymentFailed,
  SubscriptionStateChanged,
  TrialWillEnd,
  RefundIssued,
  DisputeOpened,
  TimerFired
)
export type BillingEvent = typeof BillingEvent.Type
export type BillingEventType = BillingEvent["_tag"]
