import type { DateTime } from "effect"
import type { BillingEffect } from "../BillingEffect.js"
import type { TimerKind } from "../BillingEvent.js"
import type { DunningPolicy } from "../DunningPolicy.js"
import type { SubscriptionState, SubscriptionStatus } from "../SubscriptionState.js"
import { dunningStart, type Fields, instant, maxOrNull, passEnd, passRunning } from "./facts.js"

// The second step of a transition: the status the facts call for, what must
// be issued or withdrawn to match it, and the timer it waits on.

const dayMs = 86_400_000

const accessStatuses: ReadonlySet<SubscriptionStatus> = new Set(["trialing", "active", "past_due", "canceled"])

/** Full access: trialing, active, in grace (past_due), or canceled but paid until the period ends. */
export const hasAccess = (state: { readonly status: SubscriptionStatus }): boolean => accessStatuses.has(state.status)

/** Nothing more will change it: refunded. */
export const isFinal = (state: { readonly status: SubscriptionStatus }): boolean => state.status === "refunded"

/** The status and its deadlines, from the facts alone. */
export const derive = (fields: Fields, policy: DunningPolicy): Fields => {
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
export const reconcile = (fields: Fields, policy: DunningPolicy): { fields: Fields; effects: Array<BillingEffect> } => {
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

/** The one timer a status waits on; armed again after every change, since a change disarms the previous one. */
export const timerFor = (state: SubscriptionState): { timer: TimerKind; at: DateTime.Utc } | null => {
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
