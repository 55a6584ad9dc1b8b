import { assert, describe, it, layer } from "@effect/vitest"
import { DateTime, Effect, TestClock } from "effect"
import { stripeStatus, StripeWebhook } from "../../adapters/stripe/index.js"
import type { BillingEvent, VerifiedWebhook } from "../../core/index.js"
import {
  chargeObject,
  checkoutSessionObject,
  disputeObject,
  FakeStripe,
  invoiceObject,
  refundObject,
  signWebhook,
  stripeEvent,
  subscriptionObject
} from "../support/fakes/FakeStripe.js"
import { newTenantId } from "../support/fixtures.js"
import { basicPriceId, premiumPriceId, StripeAgainstFake, webhookSecret } from "./support.js"

/** Unix seconds "now" for every test (TestClock), and the events' creation time a little before. */
const now = 1_767_225_600
const created = now - 5

const bytes = (text: string) => new TextEncoder().encode(text)

/** Delivers `event` as Stripe would: JSON body, signed now with the endpoint secret. */
const deliver = (event: unknown, options: { readonly secret?: string; readonly timestamp?: number } = {}) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(now * 1000)
    const body = JSON.stringify(event, null, 2)
    const header = signWebhook(body, options.secret ?? webhookSecret, options.timestamp ?? now)
    return yield* (yield* StripeWebhook).verify(bytes(body), header)
  })

const applied = (verified: VerifiedWebhook): BillingEvent => {
  if (verified._tag !== "Event") assert.fail(`expected an event, got Ignored: ${verified.reason}`)
  return verified.event
}

const tenantMetadata = (tenantId: string, planKey = "basic") => ({ tenant_id: tenantId, plan_key: planKey })
const roleMetadata = (tenantId: string) => ({
  tenant_id: tenantId,
  guild_id: "100000000000000001",
  role_id: "200000000000000002",
  user_id: "300000000000000003"
})

describe("Stripe webhook signatures", () => {
  layer(StripeAgainstFake())((it) => {
    const someEvent = () => stripeEvent("customer.created", { id: "cus_test_x", object: "customer" }, { created })

    it.effect("a valid signature over the raw bytes is accepted; the receipt keeps the body exactly", () =>
      Effect.gen(function*() {
        const event = someEvent()
        const body = JSON.stringify(event, null, 2)
        yield* TestClock.setTime(now * 1000)
        const verified = yield* (yield* StripeWebhook).verify(bytes(body), signWebhook(body, webhookSecret, now))
        assert.deepStrictEqual(verified.receipt, {
          provider: "stripe",
          providerEventId: event.id,
          type: "customer.created",
          tenantId: null,
          payload: body,
          receivedAt: DateTime.unsafeMake(now * 1000)
        })
      }))

    it.effect("a tampered body does not match the signature (malformed)", () =>
      Effect.gen(function*() {
        const body = JSON.stringify(someEvent())
        const header = signWebhook(body, webhookSecret, now)
        yield* TestClock.setTime(now * 1000)
        const error = yield* Effect.flip(
          (yield* StripeWebhook).verify(bytes(body.replace("cus_test_x", "cus_test_y")), header)
        )
        assert.strictEqual(error._tag, "WebhookRejected")
        if (error._tag !== "WebhookRejected") return
        assert.strictEqual(error.reason, "malformed")
        assert.include(error.message, "does not match the body")
      }))

    it.effect("a body signed with another endpoint's secret is rejected (malformed)", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(deliver(someEvent(), { secret: "whsec_test_other_endpoint" }))
        assert.strictEqual(error._tag === "WebhookRejected" && error.reason, "malformed")
        assert.include(error.message, "STRIPE_WEBHOOK_SECRET")
      }))

    it.effect("a signature older than 300 s is rejected (malformed); 299 s is still fine", () =>
      Effect.gen(function*() {
        const stale = yield* Effect.flip(deliver(someEvent(), { timestamp: now - 301 }))
        assert.strictEqual(stale._tag === "WebhookRejected" && stale.reason, "malformed")
        assert.include(stale.message, "more than 300 s old")
        const recent = yield* deliver(someEvent(), { timestamp: now - 299 })
        assert.strictEqual(recent._tag, "Ignored")
      }))

    it.effect("a missing Stripe-Signature header is unauthenticated", () =>
      Effect.gen(function*() {
        const webhook = yield* StripeWebhook
        for (const header of [undefined, "", "  "]) {
          const error = yield* Effect.flip(webhook.verify(bytes(JSON.stringify(someEvent())), header))
          assert.strictEqual(error._tag === "WebhookRejected" && error.reason, "unauthenticated")
          assert.strictEqual(error.message, "Missing Stripe-Signature header")
        }
      }))

    it.effect("a header without t= and v1= is malformed", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          (yield* StripeWebhook).verify(bytes(JSON.stringify(someEvent())), "v0=abc")
        )
        assert.strictEqual(error._tag === "WebhookRejected" && error.reason, "malformed")
      }))

    it.effect("a correctly signed body that is not a Stripe event is malformed", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(now * 1000)
        const webhook = yield* StripeWebhook
        for (const body of ["not json", JSON.stringify({ hello: "world" })]) {
          const error = yield* Effect.flip(webhook.verify(bytes(body), signWebhook(body, webhookSecret, now)))
          assert.strictEqual(error._tag === "WebhookRejected" && error.reason, "malformed")
        }
      }))

    it.effect("an unknown event type is Ignored (still acknowledged), with the reason", () =>
      Effect.gen(function*() {
        const verified = yield* deliver(someEvent())
        assert.strictEqual(verified._tag, "Ignored")
        if (verified._tag === "Ignored") assert.include(verified.reason, "customer.created")
      }))

    it.effect("a live-mode event reaching a test-key endpoint is Ignored", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const subscription = subscriptionObject({ metadata: tenantMetadata(newTenantId()) })
        fake.seedSubscription(subscription)
        const event = stripeEvent("customer.subscription.updated", subscription, { created, livemode: true })
        const verified = yield* deliver(event)
        assert.strictEqual(verified._tag, "Ignored")
        if (verified._tag === "Ignored") assert.include(verified.reason, "live-mode event")
        // Nothing was fetched for it.
        assert.strictEqual(fake.requestsTo(`/v1/subscriptions/${subscription.id}`).length, 0)
      }))
  })

  layer(StripeAgainstFake({ secretKey: "sk_live_guildhall" }))((it) => {
    it.effect("a test-mode event reaching a live-key endpoint is Ignored", () =>
      Effect.gen(function*() {
        const verified = yield* deliver(stripeEvent("customer.subscription.updated", subscriptionObject(), { created }))
        assert.strictEqual(verified._tag, "Ignored")
        if (verified._tag === "Ignored") assert.include(verified.reason, "test-mode event")
      }))
  })

  layer(StripeAgainstFake({ webhookSecret: null }))((it) => {
    it.effect("without STRIPE_WEBHOOK_SECRET every webhook is rejected unauthenticated, saying what to set", () =>
      Effect.gen(function*() {
        const body = JSON.stringify(stripeEvent("customer.created", {}, { created }))
        const error = yield* Effect.flip((yield* StripeWebhook).verify(bytes(body), signWebhook(body, webhookSecret)))
        assert.strictEqual(error._tag === "WebhookRejected" && error.reason, "unauthenticated")
        assert.include(error.message, "STRIPE_WEBHOOK_SECRET")
      }))
  })
})

describe("Stripe event normalization", () => {
  it("maps every Stripe subscription status", () => {
    assert.deepStrictEqual(
      ["incomplete", "incomplete_expired", "trialing", "active", "past_due", "unpaid", "canceled", "paused", "new"].map(
        stripeStatus
      ),
      ["incomplete", "ended", "trialing", "active", "past_due", "past_due", "ended", "paused", null]
    )
  })

  layer(StripeAgainstFake())((it) => {
    it.effect("subscription.updated re-fetches: the current subscription wins over the event's stale copy", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const tenantId = newTenantId()
        const stale = subscriptionObject({
          status: "active",
          priceId: basicPriceId,
          metadata: tenantMetadata(tenantId)
        })
        // Since the event was sent the customer moved to premium in the portal and a payment failed.
        fake.seedSubscription({
          ...subscriptionObject({
            id: stale.id,
            status: "past_due",
            priceId: premiumPriceId,
            currentPeriodEnd: 1_769_904_000,
            cancelAtPeriodEnd: true,
            metadata: tenantMetadata(tenantId, "basic")
          })
        })
        const event = stripeEvent("customer.subscription.updated", stale, { created })
        const verified = yield* deliver(event)
        assert.strictEqual(verified.receipt.tenantId, tenantId)
        assert.deepStrictEqual(applied(verified), {
          _tag: "subscription.state_changed",
          provider: "stripe",
          providerEventId: event.id,
          occurredAt: DateTime.unsafeMake(created * 1000),
          subject: { _tag: "TenantPlan", tenantId, planKey: "premium" },
          correlationId: stale.id,
          amount: null,
          status: "past_due",
          currentPeriodEnd: DateTime.unsafeMake(1_769_904_000_000),
          cancelAtPeriodEnd: true,
          version: created * 1000,
          planKey: "premium"
        } as unknown as BillingEvent)
        assert.strictEqual(fake.requestsTo(`/v1/subscriptions/${stale.id}`, "GET").length, 1)
      }))

    it.effect("created, deleted, paused and resumed are state changes too (unpaid is past_due, canceled ended)", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const cases = [
          ["customer.subscription.created", "incomplete", "incomplete"],
          ["customer.subscription.deleted", "canceled", "ended"],
          ["customer.subscription.paused", "paused", "paused"],
          ["customer.subscription.resumed", "active", "active"],
          ["customer.subscription.updated", "unpaid", "past_due"],
          ["customer.subscription.updated", "incomplete_expired", "ended"],
          ["customer.subscription.updated", "trialing", "trialing"]
        ] as const
        for (const [type, stripe, normalized] of cases) {
          const subscription = subscriptionObject({ status: stripe, metadata: tenantMetadata(newTenantId()) })
          fake.seedSubscription(subscription)
          const event = applied(yield* deliver(stripeEvent(type, { ...subscription, status: "active" }, { created })))
          assert.strictEqual(event._tag === "subscription.state_changed" && event.status, normalized, type)
        }
      }))

    it.effect("a member's role subscription has a MemberRole subject and no plan", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const tenantId = newTenantId()
        const subscription = subscriptionObject({ priceId: "price_test_role", metadata: roleMetadata(tenantId) })
        fake.seedSubscription(subscription)
        const event = applied(yield* deliver(stripeEvent("customer.subscription.created", subscription, { created })))
        assert.deepStrictEqual(
          event.subject,
          {
            _tag: "MemberRole",
            tenantId,
            guildId: "100000000000000001",
            roleId: "200000000000000002",
            userId: "300000000000000003"
          } as unknown as BillingEvent["subject"]
        )
        assert.strictEqual(event._tag === "subscription.state_changed" && event.planKey, null)
      }))

    it.effect("plan_key in metadata names the plan when the price is not a catalog plan's", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const tenantId = newTenantId()
        const subscription = subscriptionObject({
          priceId: "price_test_legacy",
          metadata: tenantMetadata(tenantId, "premium")
        })
        fake.seedSubscription(subscription)
        const event = applied(yield* deliver(stripeEvent("customer.subscription.updated", subscription, { created })))
        assert.deepStrictEqual(
          event.subject,
          { _tag: "TenantPlan", tenantId, planKey: "premium" } as unknown as BillingEvent["subject"]
        )
      }))

    it.effect("a subscription that names no Guildhall subject is Ignored, with the reason", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const subscription = subscriptionObject({ priceId: "price_test_other", metadata: { note: "sold by hand" } })
        fake.seedSubscription(subscription)
        const verified = yield* deliver(stripeEvent("customer.subscription.updated", subscription, { created }))
        assert.strictEqual(verified._tag, "Ignored")
        assert.strictEqual(verified.receipt.tenantId, null)
        if (verified._tag === "Ignored") assert.include(verified.reason, "names no Guildhall subject")
      }))

    it.effect("a failed re-fetch fails the webhook (so Stripe delivers it again); an unknown subscription too", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const subscription = subscriptionObject({ metadata: tenantMetadata(newTenantId()) })
        fake.seedSubscription(subscription)
        fake.setOutage(true)
        const unavailable = yield* Effect.flip(
          deliver(stripeEvent("customer.subscription.updated", subscription, { created }))
        )
          .pipe(Effect.ensuring(Effect.sync(() => fake.setOutage(false))))
        assert.strictEqual(unavailable._tag === "PaymentProviderError" && unavailable.reason, "unavailable")

        const unknown = subscriptionObject({ metadata: tenantMetadata(newTenantId()) })
        const missing = yield* Effect.flip(deliver(stripeEvent("customer.subscription.deleted", unknown, { created })))
        assert.strictEqual(missing._tag === "PaymentProviderError" && missing.reason, "rejected")
      }))

    it.effect("checkout.session.completed is checkout.completed with the customer; client_reference_id names the tenant", () =>
      Effect.gen(function*() {
        const tenantId = newTenantId()
        const session = checkoutSessionObject({
          clientReferenceId: tenantId,
          customer: "cus_test_new",
          subscription: "sub_test_from_checkout",
          metadata: { plan_key: "premium" },
          paymentStatus: "no_payment_required",
          amountTotal: 0,
          currency: "eur"
        })
        const event = stripeEvent("checkout.session.completed", session, { created })
        const verified = yield* deliver(event)
        assert.strictEqual(verified.receipt.tenantId, tenantId)
        assert.deepStrictEqual(applied(verified), {
          _tag: "checkout.completed",
          provider: "stripe",
          providerEventId: event.id,
          occurredAt: DateTime.unsafeMake(created * 1000),
          subject: { _tag: "TenantPlan", tenantId, planKey: "premium" },
          correlationId: "sub_test_from_checkout",
          amount: { minor: 0, currency: "EUR" },
          customerId: "cus_test_new"
        } as unknown as BillingEvent)
      }))

    it.effect("an unpaid checkout waits for async_payment_succeeded; async_payment_failed is a failed payment", () =>
      Effect.gen(function*() {
        const tenantId = newTenantId()
        const session = checkoutSessionObject({
          metadata: roleMetadata(tenantId),
          customer: "cus_test_sepa",
          paymentStatus: "unpaid",
          amountTotal: 500
        })
        const pending = yield* deliver(stripeEvent("checkout.session.completed", session, { created }))
        assert.strictEqual(pending._tag, "Ignored")

        const paid = applied(
          yield* deliver(
            stripeEvent("checkout.session.async_payment_succeeded", { ...session, payment_status: "paid" }, { created })
          )
        )
        assert.strictEqual(paid._tag, "checkout.completed")
        assert.strictEqual(paid.subject._tag, "MemberRole")
        assert.deepStrictEqual(paid.amount, { minor: 500, currency: "USD" } as unknown as BillingEvent["amount"])

        const failed = applied(
          yield* deliver(stripeEvent("checkout.session.async_payment_failed", session, { created }))
        )
        assert.strictEqual(failed._tag === "payment.failed" && failed.requiresAction, false)
      }))

    it.effect("invoice.paid is payment.succeeded: the subscription (parent.subscription_details) is re-fetched for subject and period", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const tenantId = newTenantId()
        const subscription = subscriptionObject({
          priceId: premiumPriceId,
          currentPeriodEnd: 1_769_904_000,
          metadata: tenantMetadata(tenantId, "basic")
        })
        fake.seedSubscription(subscription)
        const invoice = invoiceObject({
          subscription: subscription.id,
          amountPaid: 4900,
          // The invoice's copy of the metadata names another tenant: the re-fetched subscription wins.
          subscriptionMetadata: tenantMetadata(newTenantId())
        })
        const event = stripeEvent("invoice.paid", invoice, { created })
        const verified = yield* deliver(event)
        assert.deepStrictEqual(applied(verified), {
          _tag: "payment.succeeded",
          provider: "stripe",
          providerEventId: event.id,
          occurredAt: DateTime.unsafeMake(created * 1000),
          subject: { _tag: "TenantPlan", tenantId, planKey: "premium" },
          correlationId: subscription.id,
          amount: { minor: 4900, currency: "USD" },
          paidThrough: DateTime.unsafeMake(1_769_904_000_000)
        } as unknown as BillingEvent)
        assert.strictEqual(verified.receipt.tenantId, tenantId)
      }))

    it.effect("invoice.payment_failed and invoice.payment_action_required are payment.failed (requiresAction false / true)", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const subscription = subscriptionObject({ metadata: roleMetadata(newTenantId()) })
        fake.seedSubscription(subscription)
        const invoice = invoiceObject({ subscription: subscription.id, amountDue: 1900, amountPaid: 0 })
        const failed = applied(yield* deliver(stripeEvent("invoice.payment_failed", invoice, { created })))
        const action = applied(yield* deliver(stripeEvent("invoice.payment_action_required", invoice, { created })))
        assert.strictEqual(failed._tag === "payment.failed" && failed.requiresAction, false)
        assert.strictEqual(action._tag === "payment.failed" && action.requiresAction, true)
        assert.deepStrictEqual(failed.amount, { minor: 1900, currency: "USD" } as unknown as BillingEvent["amount"])
        assert.strictEqual(failed.correlationId, subscription.id)
      }))

    it.effect("an invoice that is not for a subscription is Ignored", () =>
      Effect.gen(function*() {
        const verified = yield* deliver(stripeEvent("invoice.paid", invoiceObject({ subscription: null }), { created }))
        assert.strictEqual(verified._tag, "Ignored")
      }))

    it.effect("trial_will_end carries the trial's end", () =>
      Effect.gen(function*() {
        const tenantId = newTenantId()
        const subscription = subscriptionObject({
          status: "trialing",
          trialEnd: now + 3 * 86_400,
          metadata: tenantMetadata(tenantId)
        })
        const event = applied(
          yield* deliver(stripeEvent("customer.subscription.trial_will_end", subscription, { created }))
        )
        assert.strictEqual(event._tag, "subscription.trial_will_end")
        if (event._tag === "subscription.trial_will_end") {
          assert.deepStrictEqual(event.trialEnd, DateTime.unsafeMake((now + 3 * 86_400) * 1000))
        }
      }))

    it.effect("refunds and disputes carrying the subject in metadata are refund.issued / dispute.opened", () =>
      Effect.gen(function*() {
        const tenantId = newTenantId()
        const charge = chargeObject({ metadata: roleMetadata(tenantId), amountRefunded: 700 })
        const refunded = applied(yield* deliver(stripeEvent("charge.refunded", charge, { created })))
        assert.strictEqual(refunded._tag, "refund.issued")
        assert.strictEqual(refunded.correlationId, charge.id)
        assert.deepStrictEqual(refunded.amount, { minor: 700, currency: "USD" } as unknown as BillingEvent["amount"])

        const refund = applied(
          yield* deliver(
            stripeEvent("refund.created", refundObject({ metadata: tenantMetadata(tenantId) }), { created })
          )
        )
        assert.strictEqual(refund._tag, "refund.issued")
        assert.strictEqual(refund.subject._tag, "TenantPlan")

        const dispute = applied(
          yield* deliver(
            stripeEvent("charge.dispute.created", disputeObject({ metadata: roleMetadata(tenantId) }), { created })
          )
        )
        assert.strictEqual(dispute._tag, "dispute.opened")
      }))

    it.effect("a refund or dispute without metadata finds its subscription through the invoice its payment paid", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const tenantId = newTenantId()
        const subscription = subscriptionObject({
          priceId: premiumPriceId,
          metadata: tenantMetadata(tenantId, "basic")
        })
        fake.seedSubscription(subscription)
        const paymentIntent = `pi_test_${subscription.id.slice(4)}`
        fake.seedInvoicePayment(paymentIntent, invoiceObject({ subscription: subscription.id }))

        for (
          const event of [
            stripeEvent("charge.refunded", chargeObject({ paymentIntent }), { created }),
            stripeEvent("refund.created", refundObject({ metadata: null, paymentIntent }), { created }),
            stripeEvent("charge.dispute.created", disputeObject({ paymentIntent }), { created })
          ]
        ) {
          const normalized = applied(yield* deliver(event))
          assert.deepStrictEqual(
            normalized.subject,
            { _tag: "TenantPlan", tenantId, planKey: "premium" } as unknown as BillingEvent["subject"],
            event.type
          )
        }
        const lookups = fake.requestsTo("/v1/invoice_payments", "GET")
          .filter((request) => (request.body["payment"] as Record<string, string>)["payment_intent"] === paymentIntent)
        assert.strictEqual(lookups.length, 3)
        assert.deepStrictEqual(lookups[0]!.body, {
          payment: { type: "payment_intent", payment_intent: paymentIntent },
          expand: ["data.invoice"],
          limit: "1"
        })
      }))

    it.effect("a refund or dispute without subject metadata is Ignored, with the reason", () =>
      Effect.gen(function*() {
        for (
          const event of [
            stripeEvent("charge.refunded", chargeObject({}), { created }),
            stripeEvent("refund.created", refundObject({ metadata: null }), { created }),
            stripeEvent("charge.dispute.created", disputeObject({}), { created })
          ]
        ) {
          const verified = yield* deliver(event)
          assert.strictEqual(verified._tag, "Ignored", event.type)
        }
      }))
  })
})
