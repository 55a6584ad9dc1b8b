import { webhooks } from "@polar-sh/sdk/2026-10"
import { Clock, Context, DateTime, Effect, Layer, Option, ParseResult, Redacted, Schema } from "effect"
import {
  type BillingEvent,
  Currency,
  GuildId,
  type MemberRoleSubject,
  type Money,
  type ProviderSubscriptionStatus,
  RoleId,
  type TenantId,
  UserId,
  type VerifiedWebhook,
  type WebhookReceipt,
  WebhookRejected
} from "../../core/index.js"

/**
 * Polar's webhooks for paid roles, one endpoint per tenant
 * (`POST /webhooks/polar/:tenantId`, the tenant's own secret). The signature is
 * checked by Polar's SDK on the raw bytes; the event is then normalized into a
 * BillingEvent for the member role named in the metadata our checkout set.
 */

export interface PolarWebhookInput {
  /** The tenant of the URL: the event must be this tenant's. */
  readonly tenantId: TenantId
  /** The body exactly as received (the signature covers these bytes). */
  readonly rawBody: Uint8Array
  /** Request headers (any letter case). */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The Standard Webhooks secret Polar shows for the tenant's endpoint, as shown. */
  readonly secret: Redacted.Redacted<string>
}

export interface PolarWebhookService {
  readonly verify: (input: PolarWebhookInput) => Effect.Effect<VerifiedWebhook, WebhookRejected>
}

export class PolarWebhook extends Context.Tag("adapters/polar/PolarWebhook")<PolarWebhook, PolarWebhookService>() {}

/** The metadata keys our checkout sets (PolarGateway.roleCheckout), read back here. */
export const polarMetadataKeys = {
  tenantId: "tenant_id",
  guildId: "guild_id",
  roleId: "role_id",
  userId: "user_id"
} as const

const rejected = (reason: "unauthenticated" | "malformed", message: string) =>
  new WebhookRejected({ provider: "polar", reason, message })

// ---------------------------------------------------------------------------
// Verification

type Verification =
  | { readonly _tag: "Known"; readonly payload: unknown }
  | { readonly _tag: "Unknown"; readonly type: string }

/**
 * `validateEvent` checks the Standard Webhooks signature first (headers, ±5
 * minutes against the wall clock, HMAC), and only then parses the JSON and
 * checks the type: an unknown-type error therefore means the signature was valid.
 */
const validate = (input: PolarWebhookInput): Effect.Effect<Verification, WebhookRejected> => {
  const headers: Record<string, string> = {}
  for (const [key, value] of Object.entries(input.headers)) if (value !== undefined) headers[key.toLowerCase()] = value
  return Effect.tryPromise({
    try: () => webhooks.validateEvent(input.rawBody, headers, Redacted.value(input.secret)),
    catch: (error) => error
  }).pipe(
    Effect.map((payload): Verification => ({ _tag: "Known", payload })),
    Effect.catchAll((error) => {
      if (error instanceof webhooks.PolarWebhookUnknownTypeError) {
        return error.eventType === null
          ? Effect.fail(rejected("malformed", "The event has no type"))
          : Effect.succeed<Verification>({ _tag: "Unknown", type: error.eventType })
      }
      if (error instanceof webhooks.PolarWebhookVerificationError) {
        // A missing header or secret is a missing credential; the rest (stale
        // timestamp, no matching signature) is a signature that does not hold.
        const missing = /missing|empty/i.test(error.message)
        return Effect.fail(rejected(missing ? "unauthenticated" : "malformed", `Polar signature: ${error.message}`))
      }
      const message = error instanceof Error ? error.message : String(error)
      return Effect.fail(rejected("malformed", `Not a Polar webhook: ${message}`))
    })
  )
}

// ---------------------------------------------------------------------------
// The payload fields we read (the SDK returns the JSON as sent, unvalidated)

const Metadata = Schema.Record({
  key: Schema.String,
  value: Schema.Union(Schema.String, Schema.Number, Schema.Boolean)
})
const Timestamp = Schema.DateTimeUtc
const NullableTimestamp = Schema.optionalWith(Schema.NullOr(Timestamp), { default: () => null })

const PolarSubscription = Schema.Struct({
  id: Schema.String,
  created_at: Timestamp,
  modified_at: NullableTimestamp,
  status: Schema.String,
  amount: Schema.Int,
  currency: Schema.String,
  current_period_end: NullableTimestamp,
  cancel_at_period_end: Schema.Boolean,
  customer_id: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  metadata: Metadata
})
type PolarSubscription = typeof PolarSubscription.Type

const PolarOrder = Schema.Struct({
  id: Schema.String,
  created_at: Timestamp,
  modified_at: NullableTimestamp,
  status: Schema.String,
  total_amount: Schema.Int,
  refunded_amount: Schema.optionalWith(Schema.Int, { default: () => 0 }),
  currency: Schema.String,
  customer_id: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  subscription_id: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  subscription: Schema.optionalWith(
    Schema.NullOr(Schema.Struct({ current_period_end: NullableTimestamp, metadata: Schema.optional(Metadata) })),
    { default: () => null }
  ),
  metadata: Metadata
})
type PolarOrder = typeof PolarOrder.Type

const PolarCheckout = Schema.Struct({
  id: Schema.String,
  created_at: Timestamp,
  modified_at: NullableTimestamp,
  status: Schema.String,
  total_amount: Schema.Int,
  currency: Schema.String,
  customer_id: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  metadata: Metadata
})
type PolarCheckout = typeof PolarCheckout.Type

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

const PolarEvent = Schema.Union(
  Schema.Struct({ type: Schema.Literal(...subscriptionTypes), data: PolarSubscription }),
  Schema.Struct({ type: Schema.Literal("order.paid", "order.refunded"), data: PolarOrder }),
  Schema.Struct({ type: Schema.Literal("checkout.updated"), data: PolarCheckout })
)
type PolarEvent = typeof PolarEvent.Type

const decodeEvent = Schema.decodeUnknown(PolarEvent, { onExcessProperty: "ignore" })

const describeIssues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`))
    .join("; ")

const handledTypes: ReadonlySet<string> = new Set([
  ...subscriptionTypes,
  "order.paid",
  "order.refunded",
  "checkout.updated"
])

// ---------------------------------------------------------------------------
// Normalization

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
const decodeCurrency = Schema.decodeUnknownOption(Currency)
const decodeMemberIds = Schema.decodeUnknownOption(Schema.Struct({ guildId: GuildId, roleId: RoleId, userId: UserId }))

const moneyOf = (minor: number, currency: string): Money | null => {
  const code = Option.getOrNull(decodeCurrency(currency.toUpperCase()))
  return code === null || minor < 0 ? null : { minor, currency: code }
}

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
const subjectOf = (
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

type Normalized =
  | { readonly _tag: "Event"; readonly build: (common: EventCommon) => BillingEvent }
  | { readonly _tag: "Ignored"; readonly reason: string }

interface EventCommon {
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

const normalize = (event: PolarEvent): Normalized => {
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
const metadataOf = (event: PolarEvent): Readonly<Record<string, string | number | boolean>> => {
  if (event.type === "order.paid" || event.type === "order.refunded") {
    const own = event.data.metadata
    return own[polarMetadataKeys.tenantId] === undefined ? event.data.subscription?.metadata ?? own : own
  }
  return event.data.metadata
}

// ---------------------------------------------------------------------------

export const makePolarWebhook: PolarWebhookService = {
  verify: (input) =>
    Effect.gen(function*() {
      const verification = yield* validate(input)
      const webhookId = Object.entries(input.headers).find(([key]) => key.toLowerCase() === "webhook-id")?.[1]
      const body = new TextDecoder().decode(input.rawBody)
      const receivedAt = DateTime.unsafeMake(yield* Clock.currentTimeMillis)
      const receipt = (type: string): WebhookReceipt => ({
        provider: "polar",
        // validateEvent succeeded, so the header is present.
        providerEventId: webhookId ?? "",
        type,
        tenantId: input.tenantId,
        payload: body,
        receivedAt
      })

      if (verification._tag === "Unknown") {
        return {
          _tag: "Ignored",
          receipt: receipt(verification.type),
          reason: `unknown Polar event type ${verification.type}`
        } satisfies VerifiedWebhook
      }
      const type = String((verification.payload as { type?: unknown }).type)
      if (!handledTypes.has(type)) {
        return {
          _tag: "Ignored",
          receipt: receipt(type),
          reason: `${type} does not change a paid role`
        } satisfies VerifiedWebhook
      }
      const event = yield* decodeEvent(verification.payload).pipe(
        Effect.mapError((error) => rejected("malformed", `Not a Polar ${type} event: ${describeIssues(error)}`))
      )
      const subject = yield* subjectOf(metadataOf(event), input.tenantId)
      if (subject._tag === "NotOurs") {
        return {
          _tag: "Ignored",
          receipt: receipt(type),
          reason: "not a Guildhall checkout (no tenant_id in the metadata)"
        } satisfies VerifiedWebhook
      }
      const normalized = normalize(event)
      if (normalized._tag === "Ignored") {
        return { _tag: "Ignored", receipt: receipt(type), reason: normalized.reason } satisfies VerifiedWebhook
      }
      return {
        _tag: "Event",
        receipt: receipt(type),
        event: normalized.build({ provider: "polar", providerEventId: webhookId ?? "", subject: subject.subject })
      } satisfies VerifiedWebhook
    })
}

export const PolarWebhookLive = Layer.succeed(PolarWebhook, makePolarWebhook)
