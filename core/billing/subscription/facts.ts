import { DateTime, type Schema } from "effect"
import type { BillingEvent, TimerFired } from "../BillingEvent.js"
import type { SubscriptionFacts, SubscriptionState } from "../SubscriptionState.js"

// What the subscription state machine's steps share: the shapes they work
// on and the readings of a state's facts (ADR 050).

export type Fields = Schema.Struct.Type<typeof SubscriptionState.fields>
export type Facts = { -readonly [K in keyof SubscriptionFacts]: SubscriptionFacts[K] }
export type Signal = NonNullable<SubscriptionFacts["signal"]>
export type ProviderEvent = Exclude<BillingEvent, TimerFired>

export const millis = DateTime.toEpochMillis
export const instant = (epochMillis: number): DateTime.Utc => DateTime.unsafeMake(epochMillis)

/**
 * Where an event sits in the subscription's history: the provider object's
 * version for subscription.state_changed, otherwise when it occurred (epoch ms).
 */
export const orderKey = (event: BillingEvent): number =>
  event._tag === "subscription.state_changed" ? event.version : millis(event.occurredAt)

export const goodSignals: ReadonlySet<Signal> = new Set(["paid", "active", "trialing"])
export const failureSignals: ReadonlySet<Signal> = new Set(["failed", "past_due"])

/** The status an event reports (null: it reports none; a SePay payment buys a pass instead). */
export const signalOf = (event: ProviderEvent): Signal | null => {
  switch (event._tag) {
    case "payment.succeeded":
      return event.provider === "sepay" ? null : "paid"
    case "payment.failed":
      return "failed"
    case "subscription.state_changed":
      return event.status
    default:
      return null
  }
}

/** A pass's end: each payment extends from the later of its own time and the end so far. */
export const passEnd = (passes: SubscriptionFacts["passes"]): number | null =>
  passes.reduce<number | null>((end, pass) => Math.max(end ?? pass.paidAt, pass.paidAt) + pass.durationMs, null)

export const maxOrNull = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b)

/** When the current dunning episode started (its first failure after the last good signal), null outside dunning. */
export const dunningStart = (facts: SubscriptionFacts, version: number): number | null =>
  facts.signal !== null && failureSignals.has(facts.signal) && facts.goodKey !== null &&
    (facts.endKey === null || facts.goodKey > facts.endKey)
    ? (facts.failureKeys[0] ?? version)
    : null

export const passRunning = (facts: SubscriptionFacts): boolean =>
  facts.passes.length > 0 && !facts.passOver && !facts.refunded && !facts.disputed
