import type { DateTime } from "effect"
import { Option } from "effect"
import type { BillingEffect } from "./BillingEffect.js"
import type { BillingEvent, TimerKind } from "./BillingEvent.js"
import { subjectKey } from "./BillingSubject.js"
import type { DunningPolicy } from "./DunningPolicy.js"
import { sameSubscription } from "./subscription/equality.js"
import { mergeEvent, mergeTimer } from "./subscription/merge.js"
import { notification } from "./subscription/notice.js"
import { derive, reconcile, timerFor } from "./subscription/status.js"
import { noFacts, SubscriptionState, type Transition } from "./SubscriptionState.js"

// The subscription state machine (ADR 050). Every event is first merged into
// the state's facts, in a way that does not depend on the order events arrive
// in (subscription/merge.ts); the status and its deadlines are then derived
// from the facts alone, and the effects are the difference between what was
// issued (roleGranted, readOnly, appliedPlanKey) and what the new status calls
// for (subscription/status.ts).

export { sameSubscription } from "./subscription/equality.js"
export { orderKey } from "./subscription/facts.js"
export { hasAccess, isFinal } from "./subscription/status.js"

/** The id of the timer a state arms (unique across tenants, subjects and revisions: the ledger dedupes on it). */
export const timerEventId = (state: SubscriptionState, timer: TimerKind, revision: number): string =>
  `${state.subject.tenantId}:${subjectKey(state.subject)}:${timer}:r${revision}`

/**
 * States built here are made of typed fields that came from a valid state or
 * event, so the constructor's validation is skipped (a profile put it at a
 * seventh of a webhook's ingest); the ledger validates every state it stores
 * as it encodes it.
 */
const unchecked = true

const fresh = (event: BillingEvent, now: DateTime.Utc): SubscriptionState =>
  new SubscriptionState({
    subject: event.subject,
    status: "pending",
    provider: event.provider,
    correlationId: event.correlationId,
    customerId: null,
    planKey: event.subject._tag === "TenantPlan" ? event.subject.planKey : null,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: false,
    version: 0,
    revision: 0,
    roleGranted: false,
    readOnly: false,
    graceEndsAt: null,
    readOnlyEndsAt: null,
    updatedAt: now,
    facts: noFacts
  }, unchecked)

export const Subscription = {
  /**
   * Applies `event` to the subscription (None: the subject has none yet; start
   * from a fresh pending state built from the event). Pure and total: an event
   * that changes nothing returns the same state and no effects.
   */
  transition(
    current: Option.Option<SubscriptionState>,
    event: BillingEvent,
    policy: DunningPolicy,
    now: DateTime.Utc
  ): Transition {
    const before = Option.getOrElse(current, () => fresh(event, now))
    const merged = event._tag === "timer.fired" ? mergeTimer(before, event) : mergeEvent(before, event)
    const reconciled = reconcile(derive(merged, policy), policy)
    if (sameSubscription(before, reconciled.fields)) return { state: before, effects: [] }

    const state = new SubscriptionState(
      { ...reconciled.fields, revision: before.revision + 1, updatedAt: now },
      unchecked
    )
    const effects: Array<BillingEffect> = [...reconciled.effects]
    const notice = notification(before, state, event)
    if (notice !== null) {
      const subject = state.subject
      effects.push({
        _tag: "Notify",
        tenantId: subject.tenantId,
        guildId: subject._tag === "MemberRole" ? subject.guildId : null,
        userId: subject._tag === "MemberRole" ? subject.userId : null,
        ...notice
      })
    }
    const timer = timerFor(state)
    if (timer !== null) {
      effects.push({
        _tag: "ScheduleAt",
        at: timer.at,
        event: {
          _tag: "timer.fired",
          provider: "guildhall",
          providerEventId: timerEventId(state, timer.timer, state.revision),
          occurredAt: timer.at,
          subject: state.subject,
          correlationId: state.correlationId,
          amount: null,
          timer: timer.timer,
          armedAtRevision: state.revision
        }
      })
    }
    return { state, effects }
  }
}
