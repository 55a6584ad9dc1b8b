import type { TimerFired } from "../BillingEvent.js"
import type { SubscriptionFacts, SubscriptionState } from "../SubscriptionState.js"
import {
  dunningStart,
  type Facts,
  failureSignals,
  type Fields,
  goodSignals,
  maxOrNull,
  millis,
  orderKey,
  passEnd,
  passRunning,
  type ProviderEvent,
  signalOf
} from "./facts.js"

// The first step of a transition: what an event or a timer adds to the state's facts.

/** Merges a provider event's facts; the status is derived afterwards. Commutative and idempotent (ADR 050). */
export const mergeEvent = (state: SubscriptionState, event: ProviderEvent): Fields => {
  const next: { -readonly [K in keyof Fields]: Fields[K] } = { ...state }
  const facts: Facts = { ...state.facts }
  const key = orderKey(event)
  if (next.provider === "guildhall") next.provider = event.provider
  if (next.customerId === null && event._tag === "checkout.completed") next.customerId = event.customerId

  const signal = signalOf(event)
  if (signal !== null) {
    // Equal keys are ordered by event id, so a tie does not go to whichever arrived first.
    const newer = key > next.version ||
      (key === next.version && facts.signalEventId !== null && event.providerEventId > facts.signalEventId)
    if (newer) {
      facts.signal = signal
      facts.signalEventId = event.providerEventId
      next.version = key
      next.cancelAtPeriodEnd = event._tag === "subscription.state_changed" && event.cancelAtPeriodEnd
      if (event.subject._tag === "TenantPlan") {
        const planKey = (event._tag === "subscription.state_changed" ? event.planKey : null) ?? event.subject.planKey
        next.planKey = planKey
        next.subject = { ...event.subject, planKey }
      }
      if (facts.passes.length === 0) next.correlationId = event.correlationId
    }
    if (goodSignals.has(signal) && (facts.goodKey === null || key > facts.goodKey)) {
      facts.goodKey = key
      facts.failureKeys = facts.failureKeys.filter((failure) => failure > key)
    }
    if (signal === "ended") facts.endKey = maxOrNull(facts.endKey, key)
    if (
      failureSignals.has(signal) && (facts.goodKey === null || key > facts.goodKey) && !facts.failureKeys.includes(key)
    ) {
      facts.failureKeys = [...facts.failureKeys, key].sort((a, b) => a - b)
    }
  }

  switch (event._tag) {
    case "payment.succeeded": {
      if (event.paidThrough === null) break
      const paidThrough = millis(event.paidThrough)
      if (event.provider !== "sepay") {
        facts.paidThrough = maxOrNull(facts.paidThrough, paidThrough)
      } else if (paidThrough > key && !facts.passes.some((pass) => pass.id === event.providerEventId)) {
        const pass = {
          id: event.providerEventId,
          paidAt: key,
          durationMs: paidThrough - key,
          correlationId: event.correlationId
        }
        facts.passes = [...facts.passes, pass].sort((a, b) =>
          a.paidAt - b.paidAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
        )
        next.correlationId = facts.passes[facts.passes.length - 1]!.correlationId
      }
      break
    }
    case "subscription.state_changed":
      if (event.currentPeriodEnd !== null) {
        facts.paidThrough = maxOrNull(facts.paidThrough, millis(event.currentPeriodEnd))
      }
      break
    case "subscription.trial_will_end":
      facts.trialEndNotified = maxOrNull(facts.trialEndNotified, millis(event.trialEnd))
      break
    case "refund.issued":
      facts.refunded = true
      break
    case "dispute.opened":
      facts.disputed = true
      break
  }

  // Stages reached by timers belong to one dunning episode and one pass end:
  // a later episode or a longer pass starts over; a final state runs no timers.
  const before = dunningStart(state.facts, state.version)
  const after = dunningStart(facts, next.version)
  if (after === null || before === null || after > before || facts.refunded || facts.disputed) {
    facts.graceOver = false
    facts.readOnlyOver = false
  }
  if (passEnd(facts.passes) !== passEnd(state.facts.passes) || facts.refunded || facts.disputed) facts.passOver = false
  next.facts = facts
  return next
}

/** A timer applies only at the revision that armed it, and only to the stage it was armed for. */
export const mergeTimer = (state: SubscriptionState, timer: TimerFired): Fields => {
  if (timer.armedAtRevision !== state.revision) return state
  const stageReached = (facts: Partial<SubscriptionFacts>): Fields => ({
    ...state,
    facts: { ...state.facts, ...facts }
  })
  switch (timer.timer) {
    case "grace_ended":
      return state.status === "past_due" && state.graceEndsAt !== null ? stageReached({ graceOver: true }) : state
    case "read_only_ended":
      return state.status === "read_only" && state.readOnlyEndsAt !== null
        ? stageReached({ readOnlyOver: true })
        : state
    case "period_ended":
      return state.status === "active" && passRunning(state.facts) ? stageReached({ passOver: true }) : state
  }
}
