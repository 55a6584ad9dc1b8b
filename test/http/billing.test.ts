import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { ReadinessMemory } from "../../adapters/memory/index.js"
import { PlanKey } from "../../core/index.js"
import { basicPriceId, premiumPriceId, TestPlans, webhookSecret } from "../stripe/support.js"
import { FakePolar } from "../support/fakes/FakePolar.js"
import {
  checkoutSessionObject,
  FakeStripe,
  signWebhook,
  stripeEvent,
  subscriptionObject
} from "../support/fakes/FakeStripe.js"
import {
  createTenantWithKey,
  issueOperatorKey,
  makeTestServer,
  postRaw,
  rawJson,
  runJobs,
  tenantWithGuild,
  TestServer
} from "./harness.js"
import {
  memberId,
  nowSeconds,
  paidRoleInput,
  polarProductId,
  polarSecret,
  polarSettings,
  polarToken,
  roleId,
  sepayApiKey,
  sepayHmacSecret,
  sepaySettings,
  stripeTestServer
} from "./paymentFixtures.js"

/** Tenant plans bought through Stripe (against FakeStripe), and the tenant's payment-provider setup. */

const twoTenants = Effect.gen(function*() {
  const operatorKey = yield* issueOperatorKey
  const acme = yield* createTenantWithKey(operatorKey, "Acme")
  const globex = yield* createTenantWithKey(operatorKey, "Globex")
  return { operatorKey, acme, globex }
})

/** A checkout completed for `tenantId` (customer cus_acme, subscription seeded active on basic). */
const checkoutCompleted = (tenantId: string) =>
  Effect.gen(function*() {
    const fake = yield* FakeStripe
    const subscription = subscriptionObject({
      customer: "cus_acme",
      priceId: basicPriceId,
      metadata: { tenant_id: tenantId, plan_key: "basic" },
      created: nowSeconds() - 600,
      currentPeriodEnd: nowSeconds() + 30 * 86_400
    })
    fake.seedSubscription(subscription)
    for (
      const event of [
        stripeEvent(
          "checkout.session.completed",
          checkoutSessionObject({
            clientReferenceId: tenantId,
            customer: "cus_acme",
            subscription: subscription.id,
            metadata: { tenant_id: tenantId, plan_key: "basic" }
          }),
          { created: nowSeconds() - 120 }
        ),
        stripeEvent("customer.subscription.created", subscription, { created: nowSeconds() - 60 })
      ]
    ) {
      const body = JSON.stringify(event)
      const response = yield* postRaw("/webhooks/stripe", body, {
        "stripe-signature": signWebhook(body, webhookSecret)
      })
      assert.strictEqual(response.status, 200, response.text)
    }
    yield* runJobs
    return subscription
  })

describe("GET /tenants/:id/billing", () => {
  it.effect("a tenant key sees its own billing; another tenant's answers 404", () =>
    Effect.gen(function*() {
      const { acme, globex, operatorKey } = yield* twoTenants
      const own = yield* acme.client.billing.tenantBilling({ path: { id: acme.tenant.id } })
      assert.deepStrictEqual(own, {
        tenantId: acme.tenant.id,
        planKey: "free",
        tenantStatus: "active",
        subscription: null,
        receipts: []
      })

      const foreign = yield* rawJson("GET", `/tenants/${globex.tenant.id}/billing`, acme.key)
      assert.strictEqual(foreign.status, 404)
      assert.strictEqual(foreign.body._tag, "TenantNotFound")
      const asOperator = yield* rawJson("GET", `/tenants/${globex.tenant.id}/billing`, operatorKey)
      assert.strictEqual(asOperator.status, 200)
      assert.strictEqual(asOperator.body.tenantId, globex.tenant.id)
    }).pipe(Effect.provide(TestServer)))
})

describe("POST /billing/checkout", () => {
  it.effect("a plan sold on Stripe answers Stripe's checkout link for the tenant", () =>
    Effect.gen(function*() {
      const { acme } = yield* twoTenants
      const result = yield* acme.client.billing.checkout({ payload: { planKey: "basic" } })
      assert.strictEqual(result.kind, "checkout")
      if (result.kind !== "checkout") return
      assert.match(result.url, /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_/)

      const [session] = (yield* FakeStripe).requestsTo("/v1/checkout/sessions", "POST")
      assert.strictEqual(session!.body["client_reference_id"], acme.tenant.id)
      assert.deepStrictEqual(session!.body["metadata"], { tenant_id: acme.tenant.id, plan_key: "basic" })
      assert.deepStrictEqual(session!.body["line_items"], [{ price: basicPriceId, quantity: "1" }])
      assert.strictEqual(session!.body["success_url"], "https://guildhall.test/checkout/done")
    }).pipe(Effect.provide(stripeTestServer())))

  it.live("a tenant already paying through Stripe moves its subscription to the new plan's price", () =>
    Effect.gen(function*() {
      const { acme } = yield* twoTenants
      const subscription = yield* checkoutCompleted(acme.tenant.id)
      const result = yield* acme.client.billing.checkout({ payload: { planKey: "premium" } })
      assert.deepStrictEqual(result, { kind: "plan_changed", subscriptionId: subscription.id })
      const fake = yield* FakeStripe
      assert.strictEqual(fake.subscription(subscription.id)!.items.data[0]!.price.id, premiumPriceId)
      assert.lengthOf(fake.requestsTo("/v1/checkout/sessions"), 0)

      // The plan moves when Stripe confirms: its update event (re-fetched, now on premium's price).
      assert.strictEqual((yield* acme.client.billing.tenantBilling({ path: { id: acme.tenant.id } })).planKey, "basic")
      const body = JSON.stringify(
        stripeEvent("customer.subscription.updated", fake.subscription(subscription.id), { created: nowSeconds() })
      )
      const updated = yield* postRaw("/webhooks/stripe", body, { "stripe-signature": signWebhook(body, webhookSecret) })
      assert.strictEqual(updated.status, 200)
      yield* runJobs
      const after = yield* acme.client.billing.tenantBilling({ path: { id: acme.tenant.id } })
      assert.strictEqual(after.planKey, "premium")
      assert.strictEqual(after.subscription?.planKey, "premium")
    }).pipe(Effect.provide(stripeTestServer())))

  it.effect("a plan without a Stripe price is 409 PlanNotForSale; an unknown plan 400", () =>
    Effect.gen(function*() {
      const { acme } = yield* twoTenants
      const notForSale = yield* rawJson("POST", "/billing/checkout", acme.key, { planKey: "enterprise" })
      assert.strictEqual(notForSale.status, 409)
      assert.strictEqual(notForSale.body._tag, "PlanNotForSale")
      assert.match(notForSale.body.message, /not sold through Stripe/)
      const unknown = yield* rawJson("POST", "/billing/checkout", acme.key, { planKey: "platinum" })
      assert.strictEqual(unknown.status, 400)
      assert.strictEqual(unknown.body._tag, "UnknownPlan")
      assert.lengthOf((yield* FakeStripe).requests, 0)
    }).pipe(Effect.provide(stripeTestServer())))

  it.effect("Stripe not configured on the server: 503 saying what to configure", () =>
    Effect.gen(function*() {
      const { acme } = yield* twoTenants
      const response = yield* rawJson("POST", "/billing/checkout", acme.key, { planKey: "basic" })
      assert.strictEqual(response.status, 503)
      assert.strictEqual(response.body._tag, "PaymentProviderNotConfigured")
      assert.strictEqual(response.body.provider, "stripe")
      assert.match(response.body.message, /STRIPE_SECRET/)
    }).pipe(Effect.provide(makeTestServer(ReadinessMemory, { plans: TestPlans }))))

  it.effect("an operator key must name the tenant (400); naming one acts for it", () =>
    Effect.gen(function*() {
      const { acme, operatorKey } = yield* twoTenants
      const unnamed = yield* rawJson("POST", "/billing/checkout", operatorKey, { planKey: "basic" })
      assert.strictEqual(unnamed.status, 400)
      assert.strictEqual(unnamed.body._tag, "InvalidInput")
      const named = yield* rawJson("POST", "/billing/checkout", operatorKey, {
        planKey: "basic",
        tenantId: acme.tenant.id
      })
      assert.strictEqual(named.status, 200)
      assert.strictEqual(named.body.kind, "checkout")
      const [session] = (yield* FakeStripe).requestsTo("/v1/checkout/sessions", "POST")
      assert.strictEqual(session!.body["client_reference_id"], acme.tenant.id)
    }).pipe(Effect.provide(stripeTestServer())))

  it.effect("a tenant key naming another tenant answers like a nonexistent tenant", () =>
    Effect.gen(function*() {
      const { acme, globex } = yield* twoTenants
      const response = yield* rawJson("POST", "/billing/checkout", acme.key, {
        planKey: "basic",
        tenantId: globex.tenant.id
      })
      assert.strictEqual(response.status, 404)
      assert.strictEqual(response.body._tag, "TenantNotFound")
      assert.lengthOf((yield* FakeStripe).requests, 0)
    }).pipe(Effect.provide(stripeTestServer())))
})

describe("GET /billing/portal", () => {
  it.live("409 NoBillingAccount before any checkout; Stripe's portal once the tenant is a customer", () =>
    Effect.gen(function*() {
      const { acme } = yield* twoTenants
      const before = yield* rawJson("GET", "/billing/portal", acme.key)
      assert.strictEqual(before.status, 409)
      assert.strictEqual(before.body._tag, "NoBillingAccount")

      yield* checkoutCompleted(acme.tenant.id)
      const portal = yield* acme.client.billing.portal({ urlParams: {} })
      assert.match(portal.url, /^https:\/\/billing\.stripe\.com\/p\/session\//)
      const [request] = (yield* FakeStripe).requestsTo("/v1/billing_portal/sessions", "POST")
      assert.strictEqual(request!.body["customer"], "cus_acme")
      assert.strictEqual(request!.body["return_url"], "https://guildhall.test/billing/portal/closed")
    }).pipe(Effect.provide(stripeTestServer())))
})

describe("return links", () => {
  it.live("every link a checkout or the portal gives Stripe and Polar to send the browser back to is a page", () =>
    Effect.gen(function*() {
      const polar = yield* FakePolar.make({ tokens: [polarToken], products: [polarProductId] })
      yield* Effect.gen(function*() {
        const { acme } = yield* twoTenants
        yield* acme.client.billing.checkout({ payload: { planKey: "basic" } })
        yield* checkoutCompleted(acme.tenant.id)
        yield* acme.client.billing.portal({ urlParams: {} })

        const shop = yield* tenantWithGuild("Shop", PlanKey.make("premium"))
        yield* shop.client.billing.configurePolar({ payload: polarSettings })
        yield* shop.client.assetsPaidRoles.put({
          path: { guildId: shop.guildId, roleId: roleId(1) },
          payload: paidRoleInput({ stripe: true, polar: true })
        })
        for (const provider of ["stripe", "polar"] as const) {
          yield* shop.client.assetsPaidRoles.checkout({
            path: { guildId: shop.guildId, roleId: roleId(1) },
            payload: { userId: memberId(1), provider }
          })
        }

        const stripeRequests = (yield* FakeStripe).requests
        const given = [...stripeRequests, ...polar.requests].flatMap((request) => {
          const body = request.body as Record<string, unknown>
          return ["success_url", "cancel_url", "return_url"].flatMap((field) =>
            typeof body[field] === "string" ? [body[field]] : []
          )
        })
        // Plan checkout (success, cancel), portal (return), role checkout on Stripe (success, cancel) and Polar.
        assert.lengthOf(given, 6)
        for (const url of new Set(given)) {
          const { origin, pathname, search } = new URL(url)
          assert.strictEqual(origin, "https://guildhall.test")
          const response = yield* HttpClient.get(`${pathname}${search}`)
          assert.strictEqual(response.status, 200, url)
          assert.include(response.headers["content-type"], "text/html", url)
          assert.include(yield* response.text, "<!doctype html>", url)
        }
      }).pipe(Effect.provide(stripeTestServer({ polarApiBase: polar.baseUrl })))
    }).pipe(Effect.scoped))
})

describe("GET /billing/receipts/tenantless", () => {
  it.live("signed Stripe events that name no tenant are shown to the operator a page at a time, not to tenants", () =>
    Effect.gen(function*() {
      const { acme, operatorKey } = yield* twoTenants
      const post = (event: ReturnType<typeof stripeEvent>) => {
        const body = JSON.stringify(event)
        return Effect.map(
          postRaw("/webhooks/stripe", body, { "stripe-signature": signWebhook(body, webhookSecret) }),
          (response) => {
            assert.strictEqual(response.status, 200, response.text)
            return { id: event.id, body }
          }
        )
      }
      // A type no tenant's state depends on, then a live-mode event on this test-mode key.
      const unknownType = yield* post(stripeEvent("account.updated", { id: "acct_1", object: "account" }))
      yield* Effect.sleep("5 millis")
      const liveMode = yield* post(
        stripeEvent("customer.subscription.updated", subscriptionObject({ customer: "cus_x", priceId: basicPriceId }), {
          livemode: true
        })
      )

      const first = yield* rawJson("GET", "/billing/receipts/tenantless?limit=1", operatorKey)
      assert.strictEqual(first.status, 200, JSON.stringify(first.body))
      assert.deepStrictEqual(first.body.receipts.map((r: { providerEventId: string }) => r.providerEventId), [
        liveMode.id
      ])
      assert.strictEqual(first.body.receipts[0].payload, liveMode.body)
      assert.strictEqual(first.body.receipts[0].outcome, "ignored")
      assert.match(first.body.receipts[0].note, /live-mode event/)
      assert.isString(first.body.next)

      const second = yield* rawJson(
        "GET",
        `/billing/receipts/tenantless?limit=1&after=${first.body.next}`,
        operatorKey
      )
      assert.deepStrictEqual(second.body.receipts.map((r: { providerEventId: string }) => r.providerEventId), [
        unknownType.id
      ])
      assert.strictEqual(second.body.receipts[0].type, "account.updated")
      assert.isNull(second.body.next)

      const asTenant = yield* rawJson("GET", "/billing/receipts/tenantless", acme.key)
      assert.strictEqual(asTenant.status, 403)
      assert.strictEqual(asTenant.body._tag, "OperatorOnly")
      const badCursor = yield* rawJson("GET", "/billing/receipts/tenantless?after=not-a-cursor", operatorKey)
      assert.strictEqual(badCursor.status, 400)
    }).pipe(Effect.provide(stripeTestServer())))
})

describe("/billing/providers", () => {
  it.effect("configuring Polar and SePay never echoes a secret; GET shows what is configured", () =>
    Effect.gen(function*() {
      const { acme, globex } = yield* twoTenants
      const secrets = [polarToken, polarSecret, sepayApiKey, sepayHmacSecret]
      const noSecretIn = (text: string) => {
        for (const secret of secrets) assert.notInclude(text, secret)
      }

      const initial = yield* rawJson("GET", "/billing/providers", acme.key)
      assert.deepStrictEqual(initial.body, {
        polar: { configured: false },
        sepay: { configured: false, auth: null, settings: null }
      })

      const polar = yield* rawJson("PUT", "/billing/providers/polar", acme.key, {
        accessToken: polarToken,
        webhookSecret: polarSecret
      })
      assert.strictEqual(polar.status, 200)
      noSecretIn(JSON.stringify(polar.body))
      assert.deepStrictEqual(polar.body.polar, { configured: true })

      const sepay = yield* rawJson("PUT", "/billing/providers/sepay", acme.key, {
        settings: sepaySettings,
        apiKey: sepayApiKey
      })
      assert.strictEqual(sepay.status, 200)
      noSecretIn(JSON.stringify(sepay.body))

      const shown = yield* acme.client.billing.providers({ urlParams: {} })
      assert.deepStrictEqual(shown, {
        polar: { configured: true },
        sepay: { configured: true, auth: "api_key", settings: sepaySettings }
      })
      noSecretIn(JSON.stringify(shown))

      // Switching SePay to HMAC: still nothing secret shown.
      const hmac = yield* acme.client.billing.configureSepay({
        payload: { settings: sepaySettings, hmacSecret: Redacted.make(sepayHmacSecret) }
      })
      assert.strictEqual(hmac.sepay.auth, "hmac")
      noSecretIn(JSON.stringify(yield* rawJson("GET", "/billing/providers", acme.key)))

      // Another tenant's setup is its own.
      assert.deepStrictEqual(yield* globex.client.billing.providers({ urlParams: {} }), {
        polar: { configured: false },
        sepay: { configured: false, auth: null, settings: null }
      })
    }).pipe(Effect.provide(TestServer)))

  it.effect("SePay needs exactly one of apiKey and hmacSecret (400)", () =>
    Effect.gen(function*() {
      const { acme } = yield* twoTenants
      const both = yield* rawJson("PUT", "/billing/providers/sepay", acme.key, {
        settings: sepaySettings,
        apiKey: sepayApiKey,
        hmacSecret: sepayHmacSecret
      })
      assert.strictEqual(both.status, 400)
      assert.strictEqual(both.body._tag, "InvalidInput")
      assert.notInclude(JSON.stringify(both.body), sepayApiKey)
      assert.notInclude(JSON.stringify(both.body), sepayHmacSecret)
      const neither = yield* rawJson("PUT", "/billing/providers/sepay", acme.key, { settings: sepaySettings })
      assert.strictEqual(neither.status, 400)
      assert.deepStrictEqual(
        yield* acme.client.billing.providers({ urlParams: {} }),
        { polar: { configured: false }, sepay: { configured: false, auth: null, settings: null } }
      )
    }).pipe(Effect.provide(TestServer)))

  it.effect("an operator configures a tenant's provider by naming it", () =>
    Effect.gen(function*() {
      const { acme, operatorKey } = yield* twoTenants
      const unnamed = yield* rawJson("PUT", "/billing/providers/polar", operatorKey, {
        accessToken: polarToken,
        webhookSecret: polarSecret
      })
      assert.strictEqual(unnamed.status, 400)
      const named = yield* rawJson("PUT", "/billing/providers/polar", operatorKey, {
        tenantId: acme.tenant.id,
        accessToken: polarToken,
        webhookSecret: polarSecret
      })
      assert.strictEqual(named.status, 200)
      assert.deepStrictEqual((yield* acme.client.billing.providers({ urlParams: {} })).polar, { configured: true })
    }).pipe(Effect.provide(TestServer)))
})
