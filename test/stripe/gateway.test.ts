import { assert, describe, it, layer } from "@effect/vitest"
import { ConfigProvider, DateTime, Effect, Layer } from "effect"
import Stripe from "stripe"
import { notConfiguredMessage, StripeGatewayLive } from "../../adapters/stripe/index.js"
import { type PaymentProviderError, PlanKey, StripeGateway } from "../../core/index.js"
import { fakeId, FakeStripe, subscriptionObject } from "../support/fakes/FakeStripe.js"
import { newTenantId } from "../support/fixtures.js"
import { basicPriceId, premiumPriceId, secretKey, StripeAgainstFake } from "./support.js"

const urls = { successUrl: "https://app.example/billing/done", cancelUrl: "https://app.example/billing" }

describe("StripeGateway against the fake Stripe", () => {
  layer(StripeAgainstFake())((it) => {
    it.effect("a plan checkout: subscription mode, 30-day trial, tenant as client_reference_id and in metadata", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const gateway = yield* StripeGateway
        const tenantId = newTenantId()
        const link = yield* gateway.planCheckout({
          tenantId,
          planKey: PlanKey.make("basic"),
          priceId: basicPriceId,
          customerId: "cus_test_known",
          trialDays: 30,
          ...urls
        })
        const request = fake.requestsTo("/v1/checkout/sessions", "POST").find((r) =>
          r.body["client_reference_id"] === tenantId
        )!
        assert.isDefined(request)
        assert.strictEqual(link.url, `https://checkout.stripe.com/c/pay/${link.checkoutId}`)
        assert.deepStrictEqual(request.body, {
          mode: "subscription",
          line_items: [{ price: basicPriceId, quantity: "1" }],
          client_reference_id: tenantId,
          metadata: { tenant_id: tenantId, plan_key: "basic" },
          subscription_data: {
            metadata: { tenant_id: tenantId, plan_key: "basic" },
            trial_period_days: "30",
            trial_settings: { end_behavior: { missing_payment_method: "cancel" } }
          },
          payment_method_collection: "if_required",
          customer: "cus_test_known",
          success_url: urls.successUrl,
          cancel_url: urls.cancelUrl
        })
        assert.strictEqual(request.headers.authorization, `Bearer ${secretKey}`)
        assert.strictEqual(request.headers["stripe-version"], Stripe.API_VERSION)
      }))

    it.effect("a plan checkout for a new customer sends no customer", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const tenantId = newTenantId()
        yield* (yield* StripeGateway).planCheckout({
          tenantId,
          planKey: PlanKey.make("premium"),
          priceId: premiumPriceId,
          customerId: null,
          trialDays: 30,
          ...urls
        })
        const request = fake.requestsTo("/v1/checkout/sessions").find((r) =>
          r.body["client_reference_id"] === tenantId
        )!
        assert.notProperty(request.body, "customer")
        assert.strictEqual((request.body["metadata"] as Record<string, string>)["plan_key"], "premium")
      }))

    it.effect("a role checkout carries its metadata on the session and the subscription", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const tenantId = newTenantId()
        const metadata = {
          tenant_id: tenantId,
          guild_id: "100000000000000001",
          role_id: "200000000000000002",
          user_id: "300000000000000003"
        }
        const link = yield* (yield* StripeGateway).roleCheckout({ priceId: "price_test_role", metadata, ...urls })
        const request = fake.requestsTo("/v1/checkout/sessions").find((r) =>
          r.body["client_reference_id"] === tenantId
        )!
        assert.strictEqual(request.body["mode"], "subscription")
        assert.deepStrictEqual(request.body["metadata"], metadata)
        assert.deepStrictEqual(request.body["subscription_data"], { metadata })
        assert.match(link.checkoutId, /^cs_test_/)
      }))

    it.effect("the portal answers Stripe's URL for the customer", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const customer = fakeId("cus")
        const portal = yield* (yield* StripeGateway).portal({ customerId: customer, returnUrl: urls.cancelUrl })
        const request = fake.requestsTo("/v1/billing_portal/sessions").find((r) => r.body["customer"] === customer)!
        assert.deepStrictEqual(request.body, { customer, return_url: urls.cancelUrl })
        assert.match(portal.url, /^https:\/\/billing\.stripe\.com\/p\/session\/bps_test_/)
      }))

    it.effect("a plan change moves the first item to the new price, prorated", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const subscription = subscriptionObject({ priceId: basicPriceId })
        fake.seedSubscription(subscription)
        yield* (yield* StripeGateway).changePlan({ subscriptionId: subscription.id, priceId: premiumPriceId })
        const update = fake.requestsTo(`/v1/subscriptions/${subscription.id}`, "POST")
        assert.strictEqual(update.length, 1)
        assert.deepStrictEqual(update[0]!.body, {
          items: [{ id: subscription.items.data[0]!.id, price: premiumPriceId }],
          proration_behavior: "create_prorations"
        })
        assert.strictEqual(fake.subscription(subscription.id)!.items.data[0]!.price.id, premiumPriceId)
      }))

    it.effect("retrieving a subscription reads the period end from its items", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const subscription = subscriptionObject({
          status: "trialing",
          customer: "cus_test_snap",
          priceId: premiumPriceId,
          currentPeriodEnd: 1_770_000_000,
          cancelAtPeriodEnd: true,
          metadata: { tenant_id: "t", plan_key: "premium" }
        })
        fake.seedSubscription(subscription)
        const snapshot = yield* (yield* StripeGateway).retrieveSubscription(subscription.id)
        assert.deepStrictEqual(snapshot, {
          id: subscription.id,
          customerId: "cus_test_snap",
          status: "trialing",
          currentPeriodEnd: DateTime.unsafeMake(1_770_000_000_000),
          cancelAtPeriodEnd: true,
          metadata: { tenant_id: "t", plan_key: "premium" },
          priceId: premiumPriceId
        })
      }))

    it.effect("an unknown subscription is Stripe's 404 resource_missing: rejected, with Stripe's message", () =>
      Effect.gen(function*() {
        const gateway = yield* StripeGateway
        const retrieve = yield* Effect.flip(gateway.retrieveSubscription("sub_test_missing"))
        assert.strictEqual(retrieve.reason, "rejected")
        assert.include(retrieve.message, "No such subscription: 'sub_test_missing'")
        const change = yield* Effect.flip(
          gateway.changePlan({ subscriptionId: "sub_test_missing", priceId: basicPriceId })
        )
        assert.strictEqual(change.reason, "rejected")
      }))

    it.effect("usage is one meter event with an identifier; Stripe's duplicate-identifier answer counts as success", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        const gateway = yield* StripeGateway
        const identifier = fakeId("usage")
        const usage = {
          eventName: "ai_tokens",
          customerId: "cus_test_meter",
          value: 1250,
          identifier,
          timestamp: DateTime.unsafeMake(1_767_225_600_000)
        }
        yield* gateway.reportUsage(usage)
        yield* gateway.reportUsage(usage)
        const sent = fake.requestsTo("/v1/billing/meter_events").filter((r) => r.body["identifier"] === identifier)
        assert.strictEqual(sent.length, 2)
        assert.deepStrictEqual(sent[0]!.body, {
          event_name: "ai_tokens",
          payload: { stripe_customer_id: "cus_test_meter", value: "1250" },
          identifier,
          timestamp: "1767225600"
        })
      }))

    it.effect("a meter event that fails for another reason is still an error", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        fake.setOutage(true)
        const error = yield* Effect.flip((yield* StripeGateway).reportUsage({
          eventName: "ai_tokens",
          customerId: "cus_test_meter",
          value: 1,
          identifier: fakeId("usage"),
          timestamp: DateTime.unsafeMake(1_767_225_600_000)
        })).pipe(Effect.ensuring(Effect.sync(() => fake.setOutage(false))))
        assert.strictEqual(error.reason, "unavailable")
      }))

    it.effect("while Stripe has an incident, calls fail unavailable", () =>
      Effect.gen(function*() {
        const fake = yield* FakeStripe
        fake.setOutage(true)
        const error = yield* Effect.flip((yield* StripeGateway).retrieveSubscription("sub_test_any")).pipe(
          Effect.ensuring(Effect.sync(() => fake.setOutage(false)))
        )
        assert.strictEqual(error.reason, "unavailable")
        assert.include(error.message, "An unknown error occurred")
      }))
  })

  layer(StripeAgainstFake({ secretKey: "sk_bogus" }))((it) => {
    it.effect("a key Stripe does not accept is rejected (401)", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip((yield* StripeGateway).retrieveSubscription("sub_test_any"))
        assert.strictEqual(error.reason, "rejected")
        assert.include(error.message, "Invalid API Key")
      }))
  })
})

describe("StripeGatewayLive from configuration", () => {
  const withConfig = (entries: ReadonlyArray<readonly [string, string]>) =>
    StripeGatewayLive.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(entries)))))

  it.effect("without STRIPE_SECRET every method fails not_configured, saying what to set", () =>
    Effect.gen(function*() {
      const gateway = yield* StripeGateway
      const calls: ReadonlyArray<Effect.Effect<unknown, PaymentProviderError>> = [
        gateway.planCheckout({
          tenantId: newTenantId(),
          planKey: PlanKey.make("basic"),
          priceId: basicPriceId,
          customerId: null,
          trialDays: 30,
          ...urls
        }),
        gateway.roleCheckout({ priceId: "price_x", metadata: {}, ...urls }),
        gateway.portal({ customerId: "cus_x", returnUrl: urls.cancelUrl }),
        gateway.changePlan({ subscriptionId: "sub_x", priceId: "price_x" }),
        gateway.retrieveSubscription("sub_x"),
        gateway.reportUsage({
          eventName: "e",
          customerId: "cus_x",
          value: 1,
          identifier: "i",
          timestamp: DateTime.unsafeMake(0)
        })
      ]
      for (const call of calls) {
        const error = yield* Effect.flip(call)
        assert.strictEqual(error.provider, "stripe")
        assert.strictEqual(error.reason, "not_configured")
        assert.strictEqual(error.message, notConfiguredMessage)
      }
    }).pipe(Effect.provide(withConfig([["STRIPE_SECRET", ""]]))))

  it.effect("STRIPE_SECRET and STRIPE_API_BASE point the SDK at another address", () =>
    Effect.gen(function*() {
      const fake = yield* FakeStripe
      const subscription = subscriptionObject({ status: "past_due" })
      fake.seedSubscription(subscription)
      const snapshot = yield* Effect.provide(
        Effect.flatMap(StripeGateway, (gateway) => gateway.retrieveSubscription(subscription.id)),
        withConfig([["STRIPE_SECRET", secretKey], ["STRIPE_API_BASE", fake.url]])
      )
      assert.strictEqual(snapshot.status, "past_due")
      assert.strictEqual(fake.requestsTo(`/v1/subscriptions/${subscription.id}`, "GET").length, 1)
    }).pipe(Effect.provide(FakeStripe.layer)))
})
