import { Schema } from "effect"
import { WebhookRejected } from "../../core/index.js"

// The fields of Polar's webhook payloads that we read (the SDK returns the
// JSON as sent, unvalidated), and the metadata our checkout writes into them.

export const rejected = WebhookRejected.by("polar")

/** The metadata keys our checkout sets (PolarGateway.roleCheckout), read back here. */
export const polarMetadataKeys = {
  tenantId: "tenant_id",
  guildId: "guild_id",
  roleId: "role_id",
  userId: "user_id"
} as const

const Metadata = Schema.Record({
  key: Schema.String,
  value: Schema.Union(Schema.String, Schema.Number, Schema.Boolean)
})
const Timestamp = Schema.DateTimeUtc
const NullableTimestamp = Schema.optionalWith(Schema.NullOr(Timestamp), { default: () => null })
const NullableString = Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })

/** What every Polar object we read has: its id and times, status, currency, customer and our metadata. */
const objectFields = {
  id: Schema.String,
  created_at: Timestamp,
  modified_at: NullableTimestamp,
  status: Schema.String,
  currency: Schema.String,
  customer_id: NullableString,
  metadata: Metadata
}

export const PolarSubscription = Schema.Struct({
  ...objectFields,
  amount: Schema.Int,
  current_period_end: NullableTimestamp,
  cancel_at_period_end: Schema.Boolean
})
export type PolarSubscription = typeof PolarSubscription.Type

export const PolarOrder = Schema.Struct({
  ...objectFields,
  total_amount: Schema.Int,
  refunded_amount: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  subscription_id: NullableString,
  subscription: Schema.optionalWith(
    Schema.NullOr(Schema.Struct({ current_period_end: NullableTimestamp, metadata: Schema.optional(Metadata) })),
    { default: () => null }
  ),
  metadata: Metadata
})
export type PolarOrder = typeof PolarOrder.Type

export const PolarCheckout = Schema.Struct({
  ...objectFields,
  total_amount: Schema.Int
})
export type PolarCheckout = typeof PolarCheckout.Type

const subscriptionTypes = [
  "subscription.created",
  "subscription.active",
  "subscription.updated",
  "subscription.uncanceled",
  "subscription.cycled",
  "subscription.resumed",
  "subscription.paused",
  "subscription.canceled",
  "subscription.revoked",
  "subscription.past_due"
] as const

export const PolarEvent = Schema.Union(
  Schema.Struct({ type: Schema.Literal(...subscriptionTypes), data: PolarSubscription }),
  Schema.Struct({ type: Schema.Literal("order.paid", "order.refunded"), data: PolarOrder }),
  Schema.Struct({ type: Schema.Literal("checkout.updated"), data: PolarCheckout })
)
export type PolarEvent = typeof PolarEvent.Type

export const decodeEvent = Schema.decodeUnknown(PolarEvent, { onExcessProperty: "ignore" })

export const handledTypes: ReadonlySet<string> = new Set([
  ...subscriptionTypes,
  "order.paid",
  "order.refunded",
  "checkout.updated"
])
