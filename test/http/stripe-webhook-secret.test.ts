import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { ReadinessMemory } from "../../adapters/memory/index.js"
import { basicPriceId, TestPlans, webhookSecret } from "../stripe/support.js"
import { checkoutSessionObject, signWebhook, stripeEvent, subscriptionObject } from "../support/fakes/FakeStripe.js"
import { createTenantWithKey, issueOperatorKey, makeTestServer, postRaw, rawJson } from "./harness.js"
import { nowSeconds } from "./paymentFixtures.js"

/**
 * The docs say signed webhooks need only STRIPE_WEBHOOK_SECRET: verifying the
 * signature needs nothing else (the SDK's constructEvent takes no API key);
 * re-fetching an object from Stripe is what needs STRIPE_SECRET.
 */
const onlyWebhookSecret = (secret: string | null) =>
  makeTestServer(ReadinessMemory, {
    stripe: {
      secretKey: Option.none(),
      webhookSecret: Option.map(Option.fromNullable(secret), Redacted.make),
      apiBase: Option.none()
    },
    plans: TestPlans
  })

/** `event` as Stripe sends it: signed (stripe.webhooks.generateTestHeaderString) with the endpoint's secret. */
const deliver = (event: unknown, secret = webhookSecret) => {
  const body = JSON.stringify(event)
  return postRaw("/webhooks/stripe", body, { "stripe-signature": signWebhook(body, secret) })
}

describe("Stripe webhooks with STRIPE_WEBHOOK_SECRET and no STRIPE_SECRET", () => {
  it.effect("a signed event that needs no re-fetch is verified and applied (200)", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const acme = yield* createTenantWithKey(operatorKey, "Acme")
      const completed = stripeEvent(
        "checkout.session.completed",
        checkoutSessionObject({
          clientReferenceId: acme.tenant.id,
          customer: "cus_acme",
          subscription: "sub_acme",
          metadata: { tenant_id: acme.tenant.id, plan_key: "basic" }
        }),
        { created: nowSeconds() - 60 }
      )
      const response = yield* deliver(completed)
      assert.strictEqual(response.status, 200, response.text)
      const billing = yield* rawJson("GET", `/tenants/${acme.tenant.id}/billing`, operatorKey)
      assert.include(JSON.stringify(billing.body), completed.id)
      // An unknown type is verified too, and acknowledged.
      assert.strictEqual(
        (yield* deliver(stripeEvent("customer.created", { id: "cus_x", object: "customer" }))).status,
        200
      )
    }).pipe(Effect.provide(onlyWebhookSecret(webhookSecret))))

  it.effect("a signed event that must be re-fetched answers 503 naming STRIPE_SECRET, so Stripe delivers it again", () =>
    Effect.gen(function*() {
      const subscription = subscriptionObject({
        priceId: basicPriceId,
        metadata: { tenant_id: "00000000-0000-4000-8000-000000000001", plan_key: "basic" }
      })
      const response = yield* deliver(stripeEvent("customer.subscription.updated", subscription))
      assert.strictEqual(response.status, 503, response.text)
      assert.include(response.text, "STRIPE_SECRET")
      assert.notInclude(response.text, "STRIPE_WEBHOOK_SECRET and")
    }).pipe(Effect.provide(onlyWebhookSecret(webhookSecret))))

  it.effect("the signature is still checked: another endpoint's secret is refused (400)", () =>
    Effect.gen(function*() {
      const response = yield* deliver(
        stripeEvent("customer.created", { id: "cus_x", object: "customer" }),
        "whsec_other"
      )
      assert.strictEqual(response.status, 400, response.text)
    }).pipe(Effect.provide(onlyWebhookSecret(webhookSecret))))

  it.effect("without STRIPE_WEBHOOK_SECRET: 401 saying to set it (and only it)", () =>
    Effect.gen(function*() {
      const response = yield* deliver(stripeEvent("customer.created", { id: "cus_x", object: "customer" }))
      assert.strictEqual(response.status, 401, response.text)
      assert.include(response.text, "set STRIPE_WEBHOOK_SECRET")
      assert.notInclude(response.text, "STRIPE_SECRET and")
    }).pipe(Effect.provide(onlyWebhookSecret(null))))
})
