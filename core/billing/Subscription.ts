import { DateTime, Option, type Schema } from "effect"
import type { BillingEffect } from "./BillingEffect.js"
import type { BillingEvent, TimerFired, TimerKind } from "./BillingEvent.js"
import { subjectKey } from "./BillingSubject.js"
import type { DunningPolicy } from "./DunningPolicy.js"
import {
  noFacts,
  type SubscriptionFacts,
  SubscriptionState,
  type SubscriptionStatus,
  type Transition
} from "./SubscriptionState.js"

// The subscription state machine (ADR 050). Every event is first merged into
// the state's facts, in a way that does not depend on the order events arrive
// in; the status and its deadlines are then derived from the facts alone, and
// the effects are the difference between what was issued (roleGranted,
// readOnly, appliedPlanKey) and what the new status calls for.

type Fields = Schema.Struct.Type<typeof SubscriptionState.fields>
type Facts = { -readonly [K in keyof SubscriptionFacts]: SubscriptionFacts[K] }
type Signal = NonNullable<SubscriptionFacts["signal"]>
type ProviderEvent = Exclude<BillingEvent, TimerFired>

const dayMs = 86_400_000
const millis = DateTime.toEpochMillis
const instant = (epochMillis: number): DateTime.Utc => DateTime.unsafeMake(epochMillis)

const accessStatuses: ReadonlySet<SubscriptionStatus> = new Set(["trialing", "active", "past_due", "canceled"])

/** Full access: trialing, active, in grace (past_due), or canceled but paid until the period ends. */
export const hasAccess = (state: { readonly status: SubscriptionStatus }): boolean => accessStatuses.has(state.status)

/** Nothing more will change it: refunded. */
export const isFinal = (state: { readonly status: SubscriptionStatus }): boolean => state.status === "refunded"

/**
 * Where an event sits in the subscription's history: the provider object's
 * version for subscription.state_changed, otherwise when it occurred (epoch ms).
 */
export const orderKey = (event: BillingEvent): number =>
  event._tag === "subscription.state_changed" ? event.version : millis(event.occurredAt)

/** The id of the timer a state arms (unique across tenants, subjects and revisions: the ledger dedupes on it). */
export const timerEventId = (state: SubscriptionState, timer: TimerKind, revision: number): string =>
  `${state.subject.tenantId}:${subjectKey(state.subject)}:${timer}:r${revision}`

const goodSignals: ReadonlySet<Signal> = new Set(["paid", "active", "trialing"])
const failureSignals: ReadonlySet<Signal> = new Set(["failed", "past_due"])

/** The status an event reports (null: it reports none; a SePay payment buys a pass instead). */
const signalOf = (event: ProviderEvent): Signal | null => {
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
const passEnd = (passes: SubscriptionFacts["passes"]): number | null =>
  passes.reduce<number | null>((end, pass) => Math.max(end ?? pass.paidAt, pass.paidAt) + pass.durationMs, null)

const maxOrNull = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b)

/** When the current dunning episode started (its first failure after the last good signal), null outside dunning. */
const dunningStart = (facts: SubscriptionFacts, version: number): number | null =>
  facts.signal !== null && failureSignals.has(facts.signal) && facts.goodKey !== null &&
    (facts.endKey === null || facts.goodKey > facts.endKey)
    ? (facts.failureKeys[0] ?? version)
    : null

const passRunning = (facts: SubscriptionFacts): boolean =>
  facts.passes.length > 0 && !facts.passOver && !facts.refunded && !facts.disputed

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

/** Merges a provider event's facts; the status is derived afterwards. Commutative and idempotent (ADR 050). */
const mergeEvent = (state: SubscriptionState, event: ProviderEvent): Fields => {
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
const mergeTimer = (state: SubscriptionState, timer: TimerFired): Fields => {
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

/** The status and its deadlines, from the facts alone. */
const derive = (fields: Fields, policy: DunningPolicy): Fields => {
  const facts = fields.facts
  const tenant = fields.subject._tag === "TenantPlan"
  const pass = passEnd(facts.passes)
  const periodEnd = maxOrNull(facts.paidThrough, pass)
  let graceEndsAt: number | null = null
  let readOnlyEndsAt: number | null = null

  const fromSignal = (): SubscriptionStatus => {
    switch (facts.signal) {
      case null:
        return facts.passes.length > 0 ? "ended" : "pending"
      case "incomplete":
        return "pending"
      case "trialing":
        return "trialing"
      case "active":
        return fields.cancelAtPeriodEnd ? "canceled" : "active"
      case "paid":
        return "active"
      case "paused":
        return tenant ? "read_only" : "ended"
      case "ended":
        return "ended"
      case "failed":
      case "past_due": {
        const start = dunningStart(facts, fields.version)
        // A failure before anything was ever paid (or after the provider ended it) grants no grace.
        if (start === null) return facts.endKey !== null ? "ended" : "pending"
        graceEndsAt = start + policy.graceDays * dayMs
        if (!facts.graceOver) return "past_due"
        if (!tenant) return "ended"
        readOnlyEndsAt = graceEndsAt + policy.readOnlyDays * dayMs
        return facts.readOnlyOver ? "ended" : "read_only"
      }
    }
  }

  const status: SubscriptionStatus = facts.refunded
    ? "refunded"
    : facts.disputed
    ? (tenant ? "read_only" : "ended")
    : passRunning(facts)
    ? "active"
    : fromSignal()

  return {
    ...fields,
    status,
    currentPeriodEnd: periodEnd === null ? null : instant(periodEnd),
    graceEndsAt: graceEndsAt === null ? null : instant(graceEndsAt),
    readOnlyEndsAt: readOnlyEndsAt === null ? null : instant(readOnlyEndsAt)
  }
}

/** Brings what was issued in line with the status: roles for members, read-only and plan for tenants. */
const reconcile = (fields: Fields, policy: DunningPolicy): { fields: Fields; effects: Array<BillingEffect> } => {
  const subject = fields.subject
  const effects: Array<BillingEffect> = []
  const access = hasAccess(fields)
  if (subject._tag === "MemberRole") {
    const { _tag, ...role } = subject
    if (access === fields.roleGranted) return { fields, effects }
    effects.push(access ? { _tag: "GrantRole", ...role } : { _tag: "RevokeRole", ...role })
    return { fields: { ...fields, roleGranted: access }, effects }
  }
  const tenantId = subject.tenantId
  const readOnly = fields.status === "read_only"
  if (!readOnly && fields.readOnly) effects.push({ _tag: "ExitReadOnly", tenantId })
  // Read-only keeps the paid plan (nothing is deleted); losing access falls back.
  const paidPlan = access || readOnly ? fields.planKey : null
  if (paidPlan !== fields.facts.appliedPlanKey) {
    effects.push({ _tag: "SetTenantPlan", tenantId, planKey: paidPlan ?? policy.fallbackPlanKey })
  }
  if (readOnly && !fields.readOnly) effects.push({ _tag: "EnterReadOnly", tenantId })
  return {
    fields: { ...fields, readOnly, facts: { ...fields.facts, appliedPlanKey: paidPlan } },
    effects
  }
}

const dateOf = (instant: DateTime.Utc | null) => instant === null ? "" : DateTime.formatIso(instant).slice(0, 10)

/** What to tell the tenant's admins (tenant plans) or the paying member, if anything. */
const notification = (
  before: SubscriptionState,
  after: Fields,
  event: BillingEvent
): { kind: string; message: string } | null => {
  const what = after.subject._tag === "TenantPlan" ? "Your plan" : "Your paid role"
  if (after.facts.disputed && !before.facts.disputed && !after.facts.refunded) {
    return { kind: "dispute_opened", message: `${what} is suspended while a payment dispute is open.` }
  }
  if (after.facts.refunded && !before.facts.refunded) {
    return { kind: "refunded", message: `${what}'s payment was refunded; access has ended.` }
  }
  const failedNow = event._tag === "payment.failed" && after.version === orderKey(event) &&
    before.version !== after.version
  if ((failedNow || (after.status === "past_due" && before.status !== "past_due")) && !hasAccessLost(after)) {
    const act = event._tag === "payment.failed" && event.requiresAction
      ? "Update your card or complete 3-D Secure to keep access."
      : "We will retry; check your payment method."
    const until = after.status === "past_due" ? ` Access continues until ${dateOf(after.graceEndsAt)}.` : ""
    return { kind: "payment_failed", message: `${what}: a payment failed. ${act}${until}` }
  }
  if (after.status !== before.status) {
    if (after.status === "read_only") {
      const until = after.readOnlyEndsAt === null ? "" : ` until ${dateOf(after.readOnlyEndsAt)}, then it ends`
      return { kind: "read_only", message: `${what} is read-only${until}. Pay the open invoice to restore it.` }
    }
    if (after.status === "ended" && (hasAccess(before) || before.status === "read_only")) {
      return { kind: "ended", message: `${what} has ended.` }
    }
  }
  if (
    event._tag === "subscription.trial_will_end" && after.status === "trialing" &&
    after.facts.trialEndNotified !== before.facts.trialEndNotified
  ) {
    return { kind: "trial_ending", message: `${what}'s trial ends on ${dateOf(event.trialEnd)}.` }
  }
  return null
}

const hasAccessLost = (fields: Fields) => fields.status === "ended" || fields.status === "refunded"

/** The one timer a status waits on; armed again after every change, since a change disarms the previous one. */
const timerFor = (state: SubscriptionState): { timer: TimerKind; at: DateTime.Utc } | null => {
  if (state.status === "past_due" && state.graceEndsAt !== null) return { timer: "grace_ended", at: state.graceEndsAt }
  if (state.status === "read_only" && state.readOnlyEndsAt !== null) {
    return { timer: "read_only_ended", at: state.readOnlyEndsAt }
  }
  const end = passEnd(state.facts.passes)
  if (state.status === "active" && passRunning(state.facts) && end !== null) {
    return { timer: "period_ended", at: instant(end) }
  }
  return null
}

/** Deep equality of state values: primitives, instants, arrays and records (the key order aside). */
const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (DateTime.isDateTime(a) || DateTime.isDateTime(b)) {
    return DateTime.isDateTime(a) && DateTime.isDateTime(b) && DateTime.Equivalence(a, b)
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]))
  }
  return sameFields(a as Record<string, unknown>, b as Record<string, unknown>, noKeys)
}

const sameFields = (a: Record<string, unknown>, b: Record<string, unknown>, ignored: ReadonlySet<string>) => {
  const keys = Object.keys(a).filter((key) => !ignored.has(key))
  return keys.length === Object.keys(b).filter((key) => !ignored.has(key)).length &&
    keys.every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]))
}

const noKeys: ReadonlySet<string> = new Set()
/** Count and date changes, not what changed. */
const bookkeeping: ReadonlySet<string> = new Set(["revision", "updatedAt"])

/** Equal but for revision and updatedAt. */
export const sameSubscription = (a: Fields, b: Fields): boolean =>
  sameFields(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>, bookkeeping)

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
