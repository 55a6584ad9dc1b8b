import { DateTime, Effect, Option, Schema } from "effect"
import {
  type BillingEvent,
  GuildId,
  type MemberRoleSubject,
  moneyOf,
  type ProviderSubscriptionStatus,
  RoleId,
  type TenantId,
  UserId,
  type WebhookRejected
} from "../../core/index.js"
import {
  type PolarCheckout,
  type PolarEvent,
  polarMetadataKeys,
  type PolarOrder,
  type PolarSubscription,
  rejected
} from "./polarEvents.js"

// A verified Polar event in our terms: the BillingEvent it means for the
// member role its metadata names, or why it changes nothing.

/** Polar's subscription status in our terms: its canceled has ended (access gone), unpaid is still dunning. */
const statusOf = (status: string): ProviderSubscriptionStatus | null => {
  switch (status) {
    case "active":
    case "trialing":
    case "past_due":
    case "incomplete":
    case "paused":
      return status
    case "unpaid":
      return "past_due"
    case "canceled":
    case "incomplete_expired":
      return "ended"
    default:
      return null
  }
}

// Decoders are made once: a schema built per call is compiled again per call (ADR 054).
const decodeMemberIds = Schema.decodeUnknownOption(Schema.Struct({ guildId: GuildId, roleId: RoleId, userId: UserId }))

/** When the object last changed: what orders Polar's events for the state machine. */
const changedAt = (object: { readonly created_at: DateTime.Utc; readonly modified_at: DateTime.Utc | null }) =>
  object.modified_at ?? object.created_at

type SubjectResult =
  | { readonly _tag: "Subject"; readonly subject: MemberRoleSubject }
  | { readonly _tag: "NotOurs" }

/**
 * The member role our checkout's metadata names. An object without our
 * tenant_id is not one of ours (the tenant's Polar organization may sell other
 * things): ignored. Another tenant's id is refused: a tenant's endpoint never
 * touches another tenant's data.
 */
export const subjectOf = (
  metadata: Readonly<Record<string, string | number | boolean>>,
  tenantId: TenantId
): Effect.Effect<SubjectResult, WebhookRejected> => {
  const tenant = metadata[polarMetadataKeys.tenantId]
  if (tenant === undefined) return Effect.succeed({ _tag: "NotOurs" })
  if (String(tenant) !== tenantId) return Effect.fail(rejected("malformed", "the event belongs to another tenant"))
  const ids = decodeMemberIds({
    guildId: metadata[polarMetadataKeys.guildId],
    roleId: metadata[polarMetadataKeys.roleId],
    userId: metadata[polarMetadataKeys.userId]
  })
  return Option.match(ids, {
    onNone: () => Effect.fail(rejected("malformed", "The event's metadata lacks a valid guild_id, role_id or user_id")),
    onSome: (found) => Effect.succeed({ _tag: "Subject", subject: { _tag: "MemberRole", tenantId, ...found } })
  })
}

export type Normalized =
  | { readonly _tag: "Event"; readonly build: (common: EventCommon) => BillingEvent }
  | { readonly _tag: "Ignored"; readonly reason: string }

export interface EventCommon {
  readonly provider: "polar"
  readonly providerEventId: string
  readonly subject: MemberRoleSubject
}

const ignore = (reason: string): Normalized => ({ _tag: "Ignored", reason })

const subscriptionEvent = (event: { readonly type: string; readonly data: PolarSubscription }): Normalized => {
  const data = event.data
  const reported = statusOf(data.status)
  if (reported === null) return ignore(`unknown Polar subscription status ${JSON.stringify(data.status)}`)
  // canceled: access continues to the period's end (revoked ends it); revoked:
  // access ends now whatever the status says; past_due: dunning.
  const status: ProviderSubscriptionStatus = event.type === "subscription.revoked"
    ? "ended"
    : event.type === "subscription.past_due"
    ? "past_due"
    : reported
  const cancelAtPeriodEnd = event.type === "subscription.canceled" ? true : data.cancel_at_period_end
  const at = changedAt(data)
  return {
    _tag: "Event",
    build: (common) => ({
      _tag: "subscription.state_changed",
      ...common,
      occurredAt: at,
      correlationId: data.id,
      amount: moneyOf(data.amount, data.currency),
      status,
      currentPeriodEnd: data.current_period_end,
      cancelAtPeriodEnd,
      version: DateTime.toEpochMillis(at),
      planKey: null
    })
  }
}

const orderEvent = (
  event: { readonly type: "order.paid" | "order.refunded"; readonly data: PolarOrder }
): Normalized => {
  const data = event.data
  const at = changedAt(data)
  const correlationId = data.subscription_id ?? data.id
  if (event.type === "order.paid") {
    return {
      _tag: "Event",
      build: (common) => ({
        _tag: "payment.succeeded",
        ...common,
        occurredAt: at,
        correlationId,
        amount: moneyOf(data.total_amount, data.currency),
        paidThrough: data.subscription?.current_period_end ?? null
      })
    }
  }
  // A partial refund leaves the purchase standing; only a full one ends it.
  if (data.status !== "refunded") return ignore(`order ${data.status}: a partial refund keeps the role`)
  return {
    _tag: "Event",
    build: (common) => ({
      _tag: "refund.issued",
      ...common,
      occurredAt: at,
      correlationId,
      amount: moneyOf(data.refunded_amount, data.currency)
    })
  }
}

const checkoutEvent = (data: PolarCheckout): Normalized => {
  if (data.status !== "succeeded") return ignore(`checkout ${data.status}: only a succeeded checkout is recorded`)
  return {
    _tag: "Event",
    build: (common) => ({
      _tag: "checkout.completed",
      ...common,
      occurredAt: changedAt(data),
      correlationId: data.id,
      amount: moneyOf(data.total_amount, data.currency),
      customerId: data.customer_id
    })
  }
}

export const normalizePolarEvent = (event: PolarEvent): Normalized => {
  switch (event.type) {
    case "order.paid":
    case "order.refunded":
      return orderEvent(event)
    case "checkout.updated":
      return checkoutEvent(event.data)
    default:
      return subscriptionEvent(event)
  }
}

/** The subject's metadata: the object's own, or (orders) the subscription's. */
export const metadataOf = (event: PolarEvent): Readonly<Record<string, string | number | boolean>> => {
  if (event.type === "order.paid" || event.type === "order.refunded") {
    const own = event.data.metadata
    return own[polarMetadataKeys.tenantId] === undefined ? event.data.subscription?.metadata ?? own : own
  }
  return event.data.metadata
}
