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

/**
 * What the state machine has learned from the events applied so far, merged
 * so that the order they arrive in does not matter (ADR 050). The status and
 * the other fields above are derived from these, and from what was issued.
 */
export const SubscriptionFacts = Schema.Struct({
  /** The newest status signal (its order key is `version`); null until one arrives. */
  signal: Schema.NullOr(
    Schema.Literal("incomplete", "trialing", "active", "past_due", "paused", "ended", "paid", "failed")
  ),
  /** The provider event id of that signal: it breaks ties between signals with the same key. */
  signalEventId: Schema.NullOr(Schema.String),
  /** The newest key of a good-standing signal (a payment, active or trialing). */
  goodKey: Schema.NullOr(Schema.Number),
  /** The newest key of an ended signal. */
  endKey: Schema.NullOr(Schema.Number),
  /** Keys of failure signals newer than goodKey, ascending: the dunning episode's start is the first. */
  failureKeys: Schema.Array(Schema.Number),
  /** The latest period end any event reported (epoch ms). */
  paidThrough: Schema.NullOr(Schema.Number),
  /** SePay passes bought, ascending by paidAt: their end is computed from all of them. */
  passes: Schema.Array(Schema.Struct({
    id: Schema.String,
    paidAt: Schema.Number,
    durationMs: Schema.Number,
    correlationId: Schema.String
  })),
  /** Stages timers have reached: the episode's grace ended, its read-only ended, the pass ran out. */
  graceOver: Schema.Boolean,
  readOnlyOver: Schema.Boolean,
  passOver: Schema.Boolean,
  refunded: Schema.Boolean,
  disputed: Schema.Boolean,
  /** The latest trial end the tenant or member was told about (epoch ms). */
  trialEndNotified: Schema.NullOr(Schema.Number),
  /** Tenant plans: the paid plan this subscription set on the tenant (null: none, or the fallback). */
  appliedPlanKey: Schema.NullOr(PlanKey)
})
export type SubscriptionFacts = typeof SubscriptionFacts.Type

export const noFacts: SubscriptionFacts = {
  signal: null,
  signalEventId: null,
  goodKey: null,
  endKey: null,
  failureKeys: [],
  paidThrough: null,
  passes: [],
  graceOver: false,
  readOnlyOver: false,
  passOver: false,
  refunded: false,
  disputed: false,
  trialEndNotified: null,
  appliedPlanKey: null
}

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
  updatedAt: Schema.DateTimeUtc,
  facts: Schema.optionalWith(SubscriptionFacts, { default: () => noFacts })
}) {}

/** A transition's result: the new state, and what the outside world must do about it. */
export interface Transition {
  readonly state: SubscriptionState
  readonly effects: ReadonlyArray<BillingEffect>
}
