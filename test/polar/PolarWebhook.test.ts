import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Redacted, TestClock } from "effect"
import { PolarWebhook, PolarWebhookLive } from "../../adapters/polar/index.js"
import { TenantId, type VerifiedWebhook } from "../../core/index.js"
import { signPolarWebhook } from "../support/fakes/signing.js"

const encoder = new TextEncoder()
const SECRET = "polar_whs_Q2f8kLx1mN0pR7sT4uV9wY3zA6bC5dE"
const tenantId = TenantId.make("0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b")
const otherTenant = "5d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a"
const metadata = {
  tenant_id: tenantId,
  guild_id: "111111111111111111",
  role_id: "222222222222222222",
  user_id: "333333333333333333"
}
const subject = {
  _tag: "MemberRole",
  tenantId,
  guildId: metadata.guild_id,
  roleId: metadata.role_id,
  userId: metadata.user_id
}

const subscription = (fields: Record<string, unknown> = {}) => ({
  id: "sub_5e1c7a4b-0f2d-4c8e-9a3b-6d7e8f9a0b1c",
  created_at: "2026-11-01T10:00:00Z",
  modified_at: "2026-11-20T10:00:00Z",
  amount: 500,
  currency: "usd",
  recurring_interval: "month",
  recurring_interval_count: 1,
  status: "active",
  current_period_start: "2026-11-01T10:00:00Z",
  current_period_end: "2026-12-01T10:00:00Z",
  trial_start: null,
  trial_end: null,
  cancel_at_period_end: false,
  canceled_at: null,
  started_at: "2026-11-01T10:00:00Z",
  ends_at: null,
  ended_at: null,
  customer_id: "cus_81f0",
  product_id: "prod_1",
  discount_id: null,
  checkout_id: "chk_1",
  metadata,
  ...fields
})

const order = (fields: Record<string, unknown> = {}) => ({
  id: "ord_9a8b7c6d",
  created_at: "2026-11-01T10:00:05Z",
  modified_at: "2026-11-01T10:00:09Z",
  status: "paid",
  paid: true,
  subtotal_amount: 500,
  total_amount: 500,
  refunded_amount: 0,
  currency: "usd",
  billing_reason: "subscription_create",
  customer_id: "cus_81f0",
  product_id: "prod_1",
  subscription_id: "sub_5e1c7a4b-0f2d-4c8e-9a3b-6d7e8f9a0b1c",
  checkout_id: "chk_1",
  metadata,
  subscription: {
    id: "sub_5e1c7a4b-0f2d-4c8e-9a3b-6d7e8f9a0b1c",
    current_period_end: "2026-12-01T10:00:00Z",
    metadata
  },
  ...fields
})

const envelope = (type: string, data: unknown) =>
  JSON.stringify({ type, timestamp: "2026-11-20T10:00:01.123Z", api_version: "2026-10", data })

const receivedAt = DateTime.unsafeMake("2026-11-23T07:00:00Z")

const verify = (body: string, headers: Record<string, string | undefined>, secret = SECRET) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(DateTime.toEpochMillis(receivedAt))
    const webhook = yield* PolarWebhook
    return yield* webhook.verify({ tenantId, rawBody: encoder.encode(body), headers, secret: Redacted.make(secret) })
  }).pipe(Effect.provide(PolarWebhookLive))

const signed = (body: string, id = "msg_2pK8f1") => verify(body, signPolarWebhook({ secret: SECRET, body, id }))

const eventOf = (verified: VerifiedWebhook) => {
  if (verified._tag !== "Event") throw new Error(`expected an event, got Ignored: ${verified.reason}`)
  return verified.event
}

describe("PolarWebhook signature", () => {
  const body = envelope("subscription.active", subscription())

  it.effect("accepts Polar's headers signed with the endpoint secret, and keeps the receipt whole", () =>
    Effect.gen(function*() {
      const verified = yield* signed(body, "msg_31xQ")
      expect(verified._tag).toBe("Event")
      expect(verified.receipt).toEqual({
        provider: "polar",
        providerEventId: "msg_31xQ",
        type: "subscription.active",
        tenantId,
        payload: body,
        receivedAt
      })
    }))

  it.effect("refuses a tampered body", () =>
    Effect.gen(function*() {
      const headers = signPolarWebhook({ secret: SECRET, body })
      const error = yield* Effect.flip(verify(body.replace("\"amount\":500", "\"amount\":1"), headers))
      expect(error).toMatchObject({ _tag: "WebhookRejected", provider: "polar", reason: "malformed" })
    }))

  it.effect("refuses a signature made with another secret", () =>
    Effect.gen(function*() {
      const headers = signPolarWebhook({ secret: "polar_whs_someone_else", body })
      expect((yield* Effect.flip(verify(body, headers))).reason).toBe("malformed")
    }))

  it.effect("refuses a timestamp more than 5 minutes old or ahead", () =>
    Effect.gen(function*() {
      const now = Math.floor(Date.now() / 1000)
      for (const timestamp of [now - 600, now + 600]) {
        const error = yield* Effect.flip(verify(body, signPolarWebhook({ secret: SECRET, body, timestamp })))
        expect(error.reason).toBe("malformed")
        expect(error.message).toMatch(/timestamp/i)
      }
    }))

  it.effect("refuses missing headers as unauthenticated", () =>
    Effect.gen(function*() {
      const headers = signPolarWebhook({ secret: SECRET, body })
      for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
        const { [name]: _dropped, ...rest } = headers
        expect((yield* Effect.flip(verify(body, rest))).reason).toBe("unauthenticated")
      }
    }))

  it.effect("reads headers in any letter case", () =>
    Effect.gen(function*() {
      const headers = signPolarWebhook({ secret: SECRET, body, id: "msg_case" })
      const upper = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toUpperCase(), value]))
      const verified = yield* verify(body, upper)
      expect(verified.receipt.providerEventId).toBe("msg_case")
    }))

  it.effect("a validly signed unknown event type is Ignored (answered 2xx), not rejected", () =>
    Effect.gen(function*() {
      const unknown = envelope("subscription.teleported", subscription())
      const verified = yield* signed(unknown, "msg_unknown")
      expect(verified._tag).toBe("Ignored")
      expect(verified.receipt).toMatchObject({
        type: "subscription.teleported",
        providerEventId: "msg_unknown",
        tenantId
      })
    }))

  it.effect("an unknown type with a bad signature is still rejected", () =>
    Effect.gen(function*() {
      const unknown = envelope("subscription.teleported", subscription())
      const headers = signPolarWebhook({ secret: "wrong", body: unknown })
      expect((yield* Effect.flip(verify(unknown, headers))).reason).toBe("malformed")
    }))

  it.effect("refuses an event whose metadata names another tenant", () =>
    Effect.gen(function*() {
      const foreign = envelope(
        "subscription.active",
        subscription({ metadata: { ...metadata, tenant_id: otherTenant } })
      )
      const error = yield* Effect.flip(signed(foreign))
      expect(error).toMatchObject({ reason: "malformed", message: "the event belongs to another tenant" })
    }))

  it.effect("ignores objects without our metadata (the tenant's other Polar products)", () =>
    Effect.gen(function*() {
      const verified = yield* signed(envelope("order.paid", order({ metadata: {}, subscription: null })))
      expect(verified._tag).toBe("Ignored")
    }))

  it.effect("refuses our metadata with invalid ids, and a known type whose data is not Polar's shape", () =>
    Effect.gen(function*() {
      const bad = envelope("subscription.active", subscription({ metadata: { ...metadata, user_id: "me" } }))
      expect((yield* Effect.flip(signed(bad))).reason).toBe("malformed")
      expect((yield* Effect.flip(signed(envelope("subscription.active", { id: 1 })))).reason).toBe("malformed")
    }))

  it.effect("ignores verified types that do not change a paid role", () =>
    Effect.gen(function*() {
      const verified = yield* signed(envelope("customer.created", { id: "cus_1", metadata: {} }))
      expect(verified).toMatchObject({ _tag: "Ignored", receipt: { type: "customer.created" } })
    }))
})

describe("PolarWebhook normalization", () => {
  const version = DateTime.toEpochMillis(DateTime.unsafeMake("2026-11-20T10:00:00Z"))
  const periodEnd = DateTime.unsafeMake("2026-12-01T10:00:00Z")

  it.effect("subscription.active is an active state with its period, amount and version (modified_at)", () =>
    Effect.gen(function*() {
      const event = eventOf(yield* signed(envelope("subscription.active", subscription()), "msg_a"))
      expect(event).toEqual({
        _tag: "subscription.state_changed",
        provider: "polar",
        providerEventId: "msg_a",
        occurredAt: DateTime.unsafeMake("2026-11-20T10:00:00Z"),
        subject,
        correlationId: "sub_5e1c7a4b-0f2d-4c8e-9a3b-6d7e8f9a0b1c",
        amount: { minor: 500, currency: "USD" },
        status: "active",
        currentPeriodEnd: periodEnd,
        cancelAtPeriodEnd: false,
        version,
        planKey: null
      })
    }))

  it.effect("without modified_at the version is created_at", () =>
    Effect.gen(function*() {
      const event = eventOf(yield* signed(envelope("subscription.created", subscription({ modified_at: null }))))
      expect(event).toMatchObject({ version: DateTime.toEpochMillis(DateTime.unsafeMake("2026-11-01T10:00:00Z")) })
    }))

  it.effect("maps Polar's statuses (canceled has ended, unpaid is still past_due)", () =>
    Effect.gen(function*() {
      const cases = [
        ["active", "active"],
        ["trialing", "trialing"],
        ["past_due", "past_due"],
        ["incomplete", "incomplete"],
        ["canceled", "ended"],
        ["unpaid", "past_due"]
      ] as const
      for (const [polar, ours] of cases) {
        const event = eventOf(yield* signed(envelope("subscription.updated", subscription({ status: polar }))))
        expect(event).toMatchObject({ _tag: "subscription.state_changed", status: ours })
      }
    }))

  it.effect("subscription.canceled keeps access to the period's end; uncanceled clears it", () =>
    Effect.gen(function*() {
      const canceled = eventOf(yield* signed(envelope("subscription.canceled", subscription({ status: "active" }))))
      expect(canceled).toMatchObject({ status: "active", cancelAtPeriodEnd: true, currentPeriodEnd: periodEnd })
      const uncanceled = eventOf(yield* signed(envelope("subscription.uncanceled", subscription())))
      expect(uncanceled).toMatchObject({ status: "active", cancelAtPeriodEnd: false })
    }))

  it.effect("subscription.revoked ends access, whatever the status says", () =>
    Effect.gen(function*() {
      const revoked = eventOf(
        yield* signed(
          envelope("subscription.revoked", subscription({ status: "active", modified_at: "2026-12-01T10:00:00Z" }))
        )
      )
      expect(revoked).toMatchObject({ status: "ended", version: DateTime.toEpochMillis(periodEnd) })
    }))

  it.effect("subscription.past_due is past_due", () =>
    Effect.gen(function*() {
      const event = eventOf(yield* signed(envelope("subscription.past_due", subscription({ status: "past_due" }))))
      expect(event).toMatchObject({ _tag: "subscription.state_changed", status: "past_due" })
    }))

  it.effect("order.paid is a payment paid through the subscription's period end", () =>
    Effect.gen(function*() {
      const event = eventOf(yield* signed(envelope("order.paid", order()), "msg_paid"))
      expect(event).toEqual({
        _tag: "payment.succeeded",
        provider: "polar",
        providerEventId: "msg_paid",
        occurredAt: DateTime.unsafeMake("2026-11-01T10:00:09Z"),
        subject,
        correlationId: "sub_5e1c7a4b-0f2d-4c8e-9a3b-6d7e8f9a0b1c",
        amount: { minor: 500, currency: "USD" },
        paidThrough: periodEnd
      })
      const oneTime = eventOf(
        yield* signed(envelope("order.paid", order({ subscription_id: null, subscription: null })))
      )
      expect(oneTime).toMatchObject({ _tag: "payment.succeeded", correlationId: "ord_9a8b7c6d", paidThrough: null })
    }))

  it.effect("order.refunded in full is a refund; a partial refund is ignored", () =>
    Effect.gen(function*() {
      const full = eventOf(
        yield* signed(envelope("order.refunded", order({ status: "refunded", refunded_amount: 500 })))
      )
      expect(full).toMatchObject({ _tag: "refund.issued", amount: { minor: 500, currency: "USD" }, subject })
      const partial = yield* signed(
        envelope("order.refunded", order({ status: "partially_refunded", refunded_amount: 100 }))
      )
      expect(partial._tag).toBe("Ignored")
    }))

  it.effect("checkout.updated succeeded is checkout.completed with Polar's customer; other statuses are ignored", () =>
    Effect.gen(function*() {
      const checkout = (status: string) => ({
        id: "chk_1",
        created_at: "2026-11-01T09:59:00Z",
        modified_at: "2026-11-01T10:00:00Z",
        status,
        total_amount: 500,
        currency: "usd",
        customer_id: "cus_81f0",
        external_customer_id: metadata.user_id,
        metadata
      })
      const done = eventOf(yield* signed(envelope("checkout.updated", checkout("succeeded"))))
      expect(done).toMatchObject({
        _tag: "checkout.completed",
        customerId: "cus_81f0",
        correlationId: "chk_1",
        subject
      })
      expect((yield* signed(envelope("checkout.updated", checkout("confirmed"))))._tag).toBe("Ignored")
    }))
})
