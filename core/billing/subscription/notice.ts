import { DateTime } from "effect"
import type { BillingEvent } from "../BillingEvent.js"
import type { SubscriptionState } from "../SubscriptionState.js"
import { type Fields, orderKey } from "./facts.js"
import { hasAccess } from "./status.js"

// The third step of a transition: what to tell the people who pay about what it changed.

const dateOf = (instant: DateTime.Utc | null) => instant === null ? "" : DateTime.formatIso(instant).slice(0, 10)

/** What to tell the tenant's admins (tenant plans) or the paying member, if anything. */
export const notification = (
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
