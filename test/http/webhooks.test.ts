import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted, TestClock } from "effect"
import { DiscordRolesMemoryControl } from "../../adapters/memory/index.js"
import {
  BillingLedger,
  type BillingLedgerService,
  Jobs,
  PaymentOrderRepo,
  PlanKey,
  type RecordRequest,
  type TenantId,
  TenantRepo
} from "../../core/index.js"
import { basicPriceId, webhookSecret } from "../stripe/support.js"
import {
  chargeObject,
  checkoutSessionObject,
  disputeObject,
  FakeStripe,
  invoiceObject,
  signWebhook,
  stripeEvent,
  subscriptionObject
} from "../support/fakes/FakeStripe.js"
import { sepayApiKeyHeader, signSepayWebhook } from "../support/fakes/signing.js"
import {
  createTenantWithKey,
  guildId,
  issueOperatorKey,
  postRaw,
  runJobs,
  tenantWithGuild,
  TestServer
} from "./harness.js"
import {
  memberId,
  nowSeconds,
  paidRoleInput,
  polarSettings,
  polarSubscriptionEvent,
  postPolar,
  postSepay,
  roleId,
  sepayApiKey,
  sepayHmacSecret,
  sepaySettings,
  sepayTransfer,
  stripeTestServer
} from "./paymentFixtures.js"

/**
 * The payment providers' webhooks through the real server: exact bytes and
 * headers in, the ledger, the job outbox, the tenant and the in-memory
 * Discord observed after the worker runs.
 */

const premium = PlanKey.make("premium")

const receiptsOf = (tenantId: TenantId) =>
  Effect.flatMap(BillingLedger, (ledger) => ledger.listReceipts(tenantId, { limit: 100 }))

const jobsIn = (status: "pending" | "done" | "dead", kind?: string) =>
  Effect.flatMap(Jobs, (jobs) => jobs.list({ status, limit: 1_000, ...(kind === undefined ? {} : { kind }) }))

const planOf = (tenantId: TenantId) =>
  Effect.map(Effect.flatMap(TenantRepo, (tenants) => tenants.findById(tenantId)), (t) => Option.getOrThrow(t).planKey)

const json = (text: string) => JSON.parse(text)

/** Nothing of the tenant's was written: no receipt, and no job waiting. */
const assertNothingWritten = (tenantId: TenantId) =>
  Effect.gen(function*() {
    assert.deepStrictEqual(yield* receiptsOf(tenantId), [])
    assert.deepStrictEqual(yield* jobsIn("pending"), [])
  })

// ---------------------------------------------------------------------------
// Stripe

const postStripe = (event: unknown, secret = webhookSecret) => {
  const body = JSON.stringify(event)
  return postRaw("/webhooks/stripe", body, { "stripe-signature": signWebhook(body, secret) })
}

/** A tenant on the free plan, and the Stripe subscription to basic its checkout left in FakeStripe. */
const stripeCustomer = Effect.gen(function*() {
  const operatorKey = yield* issueOperatorKey
  const tenant = yield* createTenantWithKey(operatorKey, "Acme")
  const fake = yield* FakeStripe
  const subscription = subscriptionObject({
    customer: "cus_acme",
    priceId: basicPriceId,
    metadata: { tenant_id: tenant.tenant.id, plan_key: "basic" },
    status: "active",
    created: nowSeconds() - 600,
    currentPeriodEnd: nowSeconds() + 30 * 86_400
  })
  fake.seedSubscription(subscription)
  return { ...tenant, fake, subscription }
})

describe("Stripe webhooks", () => {
  it.live("a plan's checkout, failed payment and refund move the tenant's plan once the worker runs", () =>
    Effect.gen(function*() {
      const { client, fake, subscription, tenant } = yield* stripeCustomer
      const t = nowSeconds()
      const completed = yield* postStripe(stripeEvent(
        "checkout.session.completed",
        checkoutSessionObject({
          clientReferenceId: tenant.id,
          customer: "cus_acme",
          subscription: subscription.id,
          metadata: { tenant_id: tenant.id, plan_key: "basic" },
          amountTotal: 1900
        }),
        { created: t - 300 }
      ))
      assert.strictEqual(completed.status, 200)
      assert.deepStrictEqual(json(completed.text), { received: true, duplicate: false })

      // The event carries a stale copy (incomplete): the webhook fetches the subscription again.
      const created = yield* postStripe(
        stripeEvent("customer.subscription.created", { ...subscription, status: "incomplete" }, { created: t - 200 })
      )
      assert.strictEqual(created.status, 200)
      assert.lengthOf(fake.requestsTo(`/v1/subscriptions/${subscription.id}`, "GET"), 1)

      // Committed and acknowledged; the plan moves when its job runs.
      assert.strictEqual(yield* planOf(tenant.id), "free")
      assert.lengthOf(yield* jobsIn("pending", "billing.SetTenantPlan"), 1)
      yield* runJobs
      assert.strictEqual(yield* planOf(tenant.id), "basic")
      const active = yield* client.billing.tenantBilling({ path: { id: tenant.id } })
      assert.strictEqual(active.planKey, "basic")
      assert.strictEqual(active.subscription?.status, "active")
      assert.strictEqual(active.subscription?.customerId, "cus_acme")
      assert.deepStrictEqual(
        active.receipts.map((r) => [r.type, r.outcome]).sort(),
        [["checkout.session.completed", "applied"], ["customer.subscription.created", "applied"]]
      )

      // A renewal fails: past due (grace, the plan kept) and the tenant is told.
      const failed = yield* postStripe(stripeEvent(
        "invoice.payment_failed",
        invoiceObject({ subscription: subscription.id, customer: "cus_acme" }),
        { created: t - 100 }
      ))
      assert.strictEqual(failed.status, 200)
      const pastDue = yield* client.billing.tenantBilling({ path: { id: tenant.id } })
      assert.strictEqual(pastDue.subscription?.status, "past_due")
      assert.isNotNull(pastDue.subscription?.graceEndsAt)
      assert.lengthOf(yield* jobsIn("pending", "billing.Notify"), 1)
      yield* runJobs
      assert.lengthOf(yield* jobsIn("done", "billing.Notify"), 1)
      assert.strictEqual(yield* planOf(tenant.id), "basic")

      // The payment is refunded: the charge names only its payment intent, which paid the subscription's invoice.
      fake.seedInvoicePayment("pi_acme_renewal", invoiceObject({ subscription: subscription.id, customer: "cus_acme" }))
      const refunded = yield* postStripe(stripeEvent(
        "charge.refunded",
        chargeObject({ paymentIntent: "pi_acme_renewal" }),
        { created: t - 50 }
      ))
      assert.strictEqual(refunded.status, 200)
      yield* runJobs
      assert.strictEqual(yield* planOf(tenant.id), "free")
      const after = yield* client.billing.tenantBilling({ path: { id: tenant.id } })
      assert.strictEqual(after.subscription?.status, "refunded")
      assert.lengthOf(after.receipts, 4)
    }).pipe(Effect.provide(stripeTestServer())))

  it.live("a dispute puts the tenant in read-only (the plan kept) once the worker runs", () =>
    Effect.gen(function*() {
      const { client, subscription, tenant } = yield* stripeCustomer
      const t = nowSeconds()
      yield* postStripe(stripeEvent("customer.subscription.created", subscription, { created: t - 60 }))
      const disputed = yield* postStripe(stripeEvent(
        "charge.dispute.created",
        disputeObject({ metadata: { tenant_id: tenant.id, plan_key: "basic" } }),
        { created: t - 30 }
      ))
      assert.strictEqual(disputed.status, 200)
      yield* runJobs
      const billing = yield* client.billing.tenantBilling({ path: { id: tenant.id } })
      assert.strictEqual(billing.tenantStatus, "read_only")
      assert.strictEqual(billing.planKey, "basic")
      assert.strictEqual(billing.subscription?.status, "read_only")
    }).pipe(Effect.provide(stripeTestServer())))

  it.live("a member's role bought through Stripe is granted when its subscription is active", () =>
    Effect.gen(function*() {
      const shop = yield* tenantWithGuild("Acme", premium, guildId(1))
      yield* shop.client.assetsPaidRoles.put({
        path: { guildId: shop.guildId, roleId: roleId(1) },
        payload: paidRoleInput({ stripe: true })
      })
      const discord = yield* DiscordRolesMemoryControl
      yield* discord.addMember(shop.guildId, memberId(1))
      const fake = yield* FakeStripe
      const subscription = subscriptionObject({
        priceId: "price_supporter",
        metadata: { tenant_id: shop.tenant.id, guild_id: shop.guildId, role_id: roleId(1), user_id: memberId(1) },
        created: nowSeconds() - 600,
        currentPeriodEnd: nowSeconds() + 30 * 86_400
      })
      fake.seedSubscription(subscription)
      const response = yield* postStripe(
        stripeEvent("customer.subscription.created", subscription, { created: nowSeconds() - 60 })
      )
      assert.strictEqual(response.status, 200)
      yield* runJobs
      assert.deepStrictEqual(yield* discord.roles(shop.guildId, memberId(1)), Option.some([roleId(1)]))
      assert.strictEqual(yield* planOf(shop.tenant.id), "premium")
    }).pipe(Effect.provide(stripeTestServer())))

  it.live("a redelivered event answers 200 as a duplicate and changes nothing", () =>
    Effect.gen(function*() {
      const { subscription, tenant } = yield* stripeCustomer
      const event = stripeEvent("customer.subscription.created", subscription, { created: nowSeconds() - 60 })
      const first = yield* postStripe(event)
      assert.deepStrictEqual(json(first.text), { received: true, duplicate: false })
      const jobsAfterFirst = yield* jobsIn("pending")

      const again = yield* postStripe(event)
      assert.strictEqual(again.status, 200)
      assert.deepStrictEqual(json(again.text), { received: true, duplicate: true })
      assert.deepStrictEqual(yield* jobsIn("pending"), jobsAfterFirst)
      assert.lengthOf(yield* receiptsOf(tenant.id), 1)

      yield* runJobs
      assert.lengthOf(yield* jobsIn("done", "billing.SetTenantPlan"), 1)
      assert.strictEqual(yield* planOf(tenant.id), "basic")
    }).pipe(Effect.provide(stripeTestServer())))

  it.live("a bad or missing signature is refused (400 / 401) and nothing is written", () =>
    Effect.gen(function*() {
      const { subscription, tenant } = yield* stripeCustomer
      const event = stripeEvent("customer.subscription.created", subscription, { created: nowSeconds() - 60 })
      const body = JSON.stringify(event)

      const forged = yield* postStripe(event, "whsec_not_the_endpoint_secret")
      assert.strictEqual(forged.status, 400)
      assert.strictEqual(json(forged.text)._tag, "WebhookMalformed")
      const altered = yield* postRaw("/webhooks/stripe", body.replace("active", "trialing"), {
        "stripe-signature": signWebhook(body, webhookSecret)
      })
      assert.strictEqual(altered.status, 400)
      const unsigned = yield* postRaw("/webhooks/stripe", body, {})
      assert.strictEqual(unsigned.status, 401)
      assert.strictEqual(json(unsigned.text)._tag, "WebhookUnauthorized")
      yield* assertNothingWritten(tenant.id)

      // The id was not taken by the refused deliveries.
      assert.deepStrictEqual(json((yield* postStripe(event)).text), { received: true, duplicate: false })
    }).pipe(Effect.provide(stripeTestServer())))

  it.live("a verified event of a type Guildhall does not act on answers 200 and is recorded as ignored", () => {
    // The event names no tenant, so no tenant's billing lists it: the ledger's writes are watched instead.
    const recorded: Array<RecordRequest> = []
    const watched = (ledger: BillingLedgerService): BillingLedgerService => ({
      ...ledger,
      record: (request) => Effect.tap(ledger.record(request), () => Effect.sync(() => recorded.push(request)))
    })
    return Effect.gen(function*() {
      const event = stripeEvent("customer.created", { id: "cus_new", object: "customer", metadata: {} })
      const first = yield* postStripe(event)
      assert.strictEqual(first.status, 200)
      assert.deepStrictEqual(json(first.text), { received: true, duplicate: false })
      assert.deepStrictEqual(
        recorded.map((
          r
        ) => [r.receipt.providerEventId, r.receipt.type, r.outcome, r.note, Option.isNone(r.transition)]),
        [[event.id, "customer.created", "ignored", "customer.created: not an event Guildhall acts on", true]]
      )
      // Recorded: the redelivery is recognised.
      assert.deepStrictEqual(json((yield* postStripe(event)).text), { received: true, duplicate: true })
      assert.deepStrictEqual(yield* jobsIn("pending"), [])
    }).pipe(Effect.provide(stripeTestServer({ ledger: watched })))
  })

  it.live("Stripe down while the subscription is re-fetched: 503, nothing recorded, the retry applies", () =>
    Effect.gen(function*() {
      const { fake, subscription, tenant } = yield* stripeCustomer
      const event = stripeEvent("customer.subscription.updated", subscription, { created: nowSeconds() - 60 })
      fake.setOutage(true)
      const during = yield* postStripe(event)
      assert.strictEqual(during.status, 503)
      assert.strictEqual(json(during.text)._tag, "ServiceUnavailable")
      yield* assertNothingWritten(tenant.id)

      fake.setOutage(false)
      assert.deepStrictEqual(json((yield* postStripe(event)).text), { received: true, duplicate: false })
      yield* runJobs
      assert.strictEqual(yield* planOf(tenant.id), "basic")
    }).pipe(Effect.provide(stripeTestServer())))

  it.effect("without STRIPE_SECRET and STRIPE_WEBHOOK_SECRET the endpoint answers 401", () =>
    Effect.gen(function*() {
      const body = JSON.stringify(stripeEvent("customer.created", { id: "cus_1", object: "customer" }))
      const response = yield* postRaw("/webhooks/stripe", body, {
        "stripe-signature": signWebhook(body, webhookSecret)
      })
      assert.strictEqual(response.status, 401)
      assert.match(json(response.text).message, /STRIPE_WEBHOOK_SECRET/)
    }).pipe(Effect.provide(TestServer)))
})

// ---------------------------------------------------------------------------
// Polar

/** A premium tenant selling a role through its Polar organization, and a member of its guild. */
const polarShop = Effect.gen(function*() {
  const shop = yield* tenantWithGuild("Acme", premium, guildId(1))
  yield* shop.client.billing.configurePolar({ payload: polarSettings })
  yield* shop.client.assetsPaidRoles.put({
    path: { guildId: shop.guildId, roleId: roleId(1) },
    payload: paidRoleInput({ polar: true })
  })
  const discord = yield* DiscordRolesMemoryControl
  yield* discord.addMember(shop.guildId, memberId(1))
  const metadata = { tenant_id: shop.tenant.id, guild_id: shop.guildId, role_id: roleId(1), user_id: memberId(1) }
  return { ...shop, discord, metadata }
})

describe("Polar webhooks", () => {
  it.live("active grants the role once (even delivered twice), canceled keeps it, revoked takes it back", () =>
    Effect.gen(function*() {
      const { client, discord, guildId: guild, metadata, tenant } = yield* polarShop
      const active = polarSubscriptionEvent("subscription.active", { metadata, modifiedAfterMinutes: 1 })

      const first = yield* postPolar(tenant.id, active, { id: "msg_active" })
      assert.strictEqual(first.status, 200)
      assert.deepStrictEqual(json(first.text), { received: true, duplicate: false })
      // Polar retries the same message (same webhook-id, signed again).
      const again = yield* postPolar(tenant.id, active, { id: "msg_active" })
      assert.deepStrictEqual(json(again.text), { received: true, duplicate: true })
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([]))

      yield* runJobs
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([roleId(1)]))
      // One grant job: Discord's no-op on a held role would hide a second.
      assert.lengthOf(yield* jobsIn("done", "billing.GrantRole"), 1)
      assert.deepStrictEqual(yield* discord.counts, { grants: 1, revokes: 0 })
      assert.strictEqual(yield* runJobs, 0)

      const canceled = polarSubscriptionEvent("subscription.canceled", {
        metadata,
        modifiedAfterMinutes: 2,
        cancelAtPeriodEnd: true
      })
      assert.strictEqual((yield* postPolar(tenant.id, canceled, { id: "msg_canceled" })).status, 200)
      yield* runJobs
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([roleId(1)]))
      const [held] = yield* client.assetsPaidRoles.subscriptions({ path: { guildId: guild }, urlParams: {} })
      assert.strictEqual(held?.status, "canceled")

      const revoked = polarSubscriptionEvent("subscription.revoked", {
        metadata,
        modifiedAfterMinutes: 3,
        status: "canceled"
      })
      assert.strictEqual((yield* postPolar(tenant.id, revoked, { id: "msg_revoked" })).status, 200)
      yield* runJobs
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([]))
      assert.deepStrictEqual(yield* discord.counts, { grants: 1, revokes: 1 })
      const [ended] = yield* client.assetsPaidRoles.subscriptions({ path: { guildId: guild }, urlParams: {} })
      assert.strictEqual(ended?.status, "ended")
    }).pipe(Effect.provide(TestServer)))

  it.live("the same event delivered twice at once is applied once", () =>
    Effect.gen(function*() {
      const { discord, guildId: guild, metadata, tenant } = yield* polarShop
      const active = polarSubscriptionEvent("subscription.active", { metadata, modifiedAfterMinutes: 1 })
      const both = yield* Effect.all([
        postPolar(tenant.id, active, { id: "msg_raced" }),
        postPolar(tenant.id, active, { id: "msg_raced" })
      ], { concurrency: 2 })
      assert.deepStrictEqual(both.map((r) => r.status), [200, 200])
      assert.deepStrictEqual(both.map((r) => json(r.text).duplicate).sort(), [false, true])
      yield* runJobs
      assert.lengthOf(yield* jobsIn("done", "billing.GrantRole"), 1)
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([roleId(1)]))
      assert.lengthOf(yield* receiptsOf(tenant.id), 1)
    }).pipe(Effect.provide(TestServer)))

  it.live("another tenant's metadata on this tenant's URL is refused and nothing is written", () =>
    Effect.gen(function*() {
      const { discord, metadata, operatorKey, tenant } = yield* polarShop
      const other = yield* createTenantWithKey(operatorKey, "Globex", premium)
      const theirs = polarSubscriptionEvent("subscription.active", {
        metadata: { ...metadata, tenant_id: other.tenant.id },
        modifiedAfterMinutes: 1
      })
      const response = yield* postPolar(tenant.id, theirs, { id: "msg_foreign" })
      assert.strictEqual(response.status, 400)
      assert.match(json(response.text).message, /another tenant/)
      yield* assertNothingWritten(tenant.id)
      yield* assertNothingWritten(other.tenant.id)
      yield* runJobs
      assert.deepStrictEqual(yield* discord.counts, { grants: 0, revokes: 0 })
    }).pipe(Effect.provide(TestServer)))

  it.live("a bad signature is 400, missing headers 401, and a tenant without Polar configured 401", () =>
    Effect.gen(function*() {
      const { metadata, operatorKey, tenant } = yield* polarShop
      const body = polarSubscriptionEvent("subscription.active", { metadata, modifiedAfterMinutes: 1 })
      const forged = yield* postPolar(tenant.id, body, { id: "msg_forged", secret: "polar_whs_someone_else" })
      assert.strictEqual(forged.status, 400)
      assert.strictEqual((yield* postRaw(`/webhooks/polar/${tenant.id}`, body, {})).status, 401)
      yield* assertNothingWritten(tenant.id)

      const unconfigured = yield* createTenantWithKey(operatorKey, "Initech", premium)
      const response = yield* postPolar(unconfigured.tenant.id, body, { id: "msg_unconfigured" })
      assert.strictEqual(response.status, 401)
      assert.strictEqual(json(response.text)._tag, "WebhookUnauthorized")
      yield* assertNothingWritten(unconfigured.tenant.id)
    }).pipe(Effect.provide(TestServer)))

  it.live("a verified event of an unknown type answers 200 and is recorded as ignored", () =>
    Effect.gen(function*() {
      const { client, tenant } = yield* polarShop
      const body = JSON.stringify({ type: "guildhall.never_heard_of", timestamp: new Date().toISOString(), data: {} })
      const response = yield* postPolar(tenant.id, body, { id: "msg_unknown" })
      assert.strictEqual(response.status, 200)
      const { receipts } = yield* client.billing.tenantBilling({ path: { id: tenant.id } })
      assert.deepStrictEqual(receipts.map((r) => [r.providerEventId, r.type, r.outcome]), [[
        "msg_unknown",
        "guildhall.never_heard_of",
        "ignored"
      ]])
      assert.deepStrictEqual(yield* jobsIn("pending"), [])
    }).pipe(Effect.provide(TestServer)))
})

// ---------------------------------------------------------------------------
// SePay

/** A premium tenant selling 30-day passes over SePay, authenticated as `auth`; and a member of its guild. */
const sepayShop = (auth: "api_key" | "hmac") =>
  Effect.gen(function*() {
    const shop = yield* tenantWithGuild("Acme", premium, guildId(1))
    yield* shop.client.billing.configureSepay({
      payload: {
        settings: sepaySettings,
        ...(auth === "api_key"
          ? { apiKey: Redacted.make(sepayApiKey) }
          : { hmacSecret: Redacted.make(sepayHmacSecret) })
      }
    })
    yield* shop.client.assetsPaidRoles.put({
      path: { guildId: shop.guildId, roleId: roleId(1) },
      payload: paidRoleInput({ sepayPassDays: 30 })
    })
    const discord = yield* DiscordRolesMemoryControl
    yield* discord.addMember(shop.guildId, memberId(1))
    const order = yield* shop.client.assetsPaidRoles.checkout({
      path: { guildId: shop.guildId, roleId: roleId(1) },
      payload: { userId: memberId(1), provider: "sepay" }
    })
    if (order.kind !== "bank_transfer") throw new Error(`expected a bank transfer order, got ${order.kind}`)
    return { ...shop, discord, order }
  })

describe("SePay webhooks", () => {
  it.live("a transfer with the order's code and the full amount grants the role and shows the pass", () =>
    Effect.gen(function*() {
      const { client, discord, guildId: guild, order, tenant } = yield* sepayShop("api_key")
      assert.match(order.paymentCode, /^GH[A-Z0-9]{8}$/)
      assert.deepStrictEqual(order.amount, { minor: 50_000, currency: "VND" })
      assert.strictEqual(
        order.qrImageUrl,
        `https://qr.sepay.vn/img?acc=0123499999&bank=MBBank&amount=50000&des=${order.paymentCode}`
      )

      const body = sepayTransfer({ id: 92_704, code: order.paymentCode, amount: 50_000 })
      const response = yield* postSepay(tenant.id, body, sepayApiKeyHeader(sepayApiKey))
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(json(response.text), { success: true })
      yield* runJobs
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([roleId(1)]))
      const subscriptions = yield* client.assetsPaidRoles.subscriptions({
        path: { guildId: guild },
        urlParams: { userId: memberId(1) }
      })
      assert.deepStrictEqual(subscriptions.map((s) => [s.provider, s.status, s.correlationId]), [[
        "sepay",
        "active",
        order.orderId
      ]])

      // SePay retries the same notification: acknowledged, nothing granted twice.
      assert.deepStrictEqual(json((yield* postSepay(tenant.id, body, sepayApiKeyHeader(sepayApiKey))).text), {
        success: true
      })
      yield* runJobs
      assert.lengthOf(yield* jobsIn("done", "billing.GrantRole"), 1)
      assert.deepStrictEqual(yield* discord.counts, { grants: 1, revokes: 0 })
    }).pipe(Effect.provide(TestServer)))

  it.effect("the pass ends after its days: the timer the payment armed revokes the role", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.now())
      const { client, discord, guildId: guild, order, tenant } = yield* sepayShop("api_key")
      const body = sepayTransfer({ id: 92_710, code: order.paymentCode, amount: 50_000 })
      assert.strictEqual((yield* postSepay(tenant.id, body, sepayApiKeyHeader(sepayApiKey))).status, 200)
      yield* runJobs
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([roleId(1)]))

      yield* TestClock.adjust("29 days")
      assert.strictEqual(yield* runJobs, 0)
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([roleId(1)]))

      // A day and an hour later: past the end, whatever second the transfer was stamped with.
      yield* TestClock.adjust("25 hours")
      yield* runJobs
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([]))
      const [pass] = yield* client.assetsPaidRoles.subscriptions({ path: { guildId: guild }, urlParams: {} })
      assert.strictEqual(pass?.status, "ended")
    }).pipe(Effect.provide(TestServer)))

  it.live("an underpayment is held for review: the receipt shows it, no role is granted", () =>
    Effect.gen(function*() {
      const { client, discord, guildId: guild, order, tenant } = yield* sepayShop("api_key")
      const body = sepayTransfer({ id: 92_705, code: order.paymentCode, amount: 30_000 })
      const response = yield* postSepay(tenant.id, body, sepayApiKeyHeader(sepayApiKey))
      assert.deepStrictEqual(json(response.text), { success: true })
      yield* runJobs

      const { receipts } = yield* client.billing.tenantBilling({ path: { id: tenant.id } })
      assert.strictEqual(receipts.length, 1)
      assert.strictEqual(receipts[0]!.outcome, "held_for_review")
      assert.match(receipts[0]!.note ?? "", /received 30000 of 50000 VND/)
      assert.deepStrictEqual(yield* discord.counts, { grants: 0, revokes: 0 })
      assert.deepStrictEqual(
        yield* client.assetsPaidRoles.subscriptions({ path: { guildId: guild }, urlParams: {} }),
        []
      )
    }).pipe(Effect.provide(TestServer)))

  it.live("no code extracted: the code in the content settles the order; an overpayment still grants", () =>
    Effect.gen(function*() {
      const { discord, guildId: guild, order, tenant } = yield* sepayShop("api_key")
      const body = sepayTransfer({
        id: 92_708,
        code: null,
        amount: 60_000,
        content: `Mua role ${order.paymentCode.toLowerCase()} cảm ơn`
      })
      assert.deepStrictEqual(json((yield* postSepay(tenant.id, body, sepayApiKeyHeader(sepayApiKey))).text), {
        success: true
      })
      yield* runJobs
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([roleId(1)]))
      const settled = yield* Effect.flatMap(PaymentOrderRepo, (orders) => orders.find(tenant.id, order.orderId))
      assert.deepStrictEqual(
        Option.map(settled, (o) => [o.status, o.receivedMinor, o.overpaidMinor, o.transactionId]),
        Option.some(["paid", 60_000, 10_000, "92708"])
      )
    }).pipe(Effect.provide(TestServer)))

  it.live("a transfer to another account is acknowledged, recorded as ignored, and grants nothing", () =>
    Effect.gen(function*() {
      const { client, discord, order, tenant } = yield* sepayShop("api_key")
      const body = sepayTransfer({ id: 92_709, code: order.paymentCode, amount: 50_000, accountNumber: "9999000011" })
      assert.deepStrictEqual(json((yield* postSepay(tenant.id, body, sepayApiKeyHeader(sepayApiKey))).text), {
        success: true
      })
      yield* runJobs
      const { receipts } = yield* client.billing.tenantBilling({ path: { id: tenant.id } })
      assert.deepStrictEqual(receipts.map((r) => [r.type, r.outcome, r.note]), [[
        "transfer.in",
        "ignored",
        "the transfer reached another receiving account"
      ]])
      assert.deepStrictEqual(yield* discord.counts, { grants: 0, revokes: 0 })
    }).pipe(Effect.provide(TestServer)))

  it.live("a wrong API key is 401 and nothing is written", () =>
    Effect.gen(function*() {
      const { order, tenant } = yield* sepayShop("api_key")
      const body = sepayTransfer({ id: 92_706, code: order.paymentCode, amount: 50_000 })
      const response = yield* postSepay(tenant.id, body, sepayApiKeyHeader("not-the-key"))
      assert.strictEqual(response.status, 401)
      assert.strictEqual(json(response.text)._tag, "WebhookUnauthorized")
      yield* assertNothingWritten(tenant.id)
    }).pipe(Effect.provide(TestServer)))

  it.live("HMAC mode: a stale timestamp is 400 and nothing is written; a fresh signature is accepted", () =>
    Effect.gen(function*() {
      const { discord, guildId: guild, order, tenant } = yield* sepayShop("hmac")
      const body = sepayTransfer({ id: 92_707, code: order.paymentCode, amount: 50_000 })
      const stale = yield* postSepay(
        tenant.id,
        body,
        signSepayWebhook({ secret: sepayHmacSecret, body, timestamp: nowSeconds() - 3_600 })
      )
      assert.strictEqual(stale.status, 400)
      assert.match(json(stale.text).message, /more than 5 minutes/)
      yield* assertNothingWritten(tenant.id)

      const fresh = yield* postSepay(
        tenant.id,
        body,
        signSepayWebhook({ secret: sepayHmacSecret, body, timestamp: nowSeconds() })
      )
      assert.deepStrictEqual(json(fresh.text), { success: true })
      yield* runJobs
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([roleId(1)]))
    }).pipe(Effect.provide(TestServer)))
})

// ---------------------------------------------------------------------------
// Every provider

/** A ledger whose transaction fails (the database went away) while `down.now` is true. */
const failingLedger = (down: { now: boolean }) => (ledger: BillingLedgerService): BillingLedgerService => ({
  ...ledger,
  record: (request) =>
    Effect.suspend(() =>
      down.now ? Effect.die(new Error("connect ECONNREFUSED 127.0.0.1:5432")) : ledger.record(request)
    )
})

describe("every provider's webhook", () => {
  const down = { now: false }

  it.live("the database unavailable: 503 so the provider retries, and the retry is applied", () =>
    Effect.gen(function*() {
      const { subscription, tenant } = yield* stripeCustomer
      const stripeBody = stripeEvent("customer.subscription.created", subscription, { created: nowSeconds() - 60 })
      const shop = yield* tenantWithGuild("Globex", premium, guildId(2))
      yield* shop.client.billing.configurePolar({ payload: polarSettings })
      yield* shop.client.billing.configureSepay({
        payload: { settings: sepaySettings, apiKey: Redacted.make(sepayApiKey) }
      })
      const polarBody = polarSubscriptionEvent("subscription.active", {
        metadata: { tenant_id: shop.tenant.id, guild_id: shop.guildId, role_id: roleId(1), user_id: memberId(1) },
        modifiedAfterMinutes: 1
      })
      const sepayBody = sepayTransfer({ id: 1, code: "GHNOORDER1", amount: 10_000 })
      const deliver = Effect.all([
        postStripe(stripeBody),
        postPolar(shop.tenant.id, polarBody, { id: "msg_outage" }),
        postSepay(shop.tenant.id, sepayBody, sepayApiKeyHeader(sepayApiKey))
      ])

      down.now = true
      const during = yield* deliver
      assert.deepStrictEqual(during.map((r) => r.status), [503, 503, 503])
      for (const response of during) assert.strictEqual(json(response.text)._tag, "ServiceUnavailable")
      down.now = false
      yield* assertNothingWritten(tenant.id)
      yield* assertNothingWritten(shop.tenant.id)

      const after = yield* deliver
      assert.deepStrictEqual(after.map((r) => r.status), [200, 200, 200])
      assert.deepStrictEqual(json(after[0].text), { received: true, duplicate: false })
      assert.deepStrictEqual(json(after[1].text), { received: true, duplicate: false })
      assert.lengthOf(yield* receiptsOf(shop.tenant.id), 2)
    }).pipe(Effect.provide(stripeTestServer({ ledger: failingLedger(down) }))))

  it.live("a body over 1 MiB is refused with 413 before it is read", () =>
    Effect.gen(function*() {
      const { tenant } = yield* polarShop
      const huge = JSON.stringify({ type: "padding", data: { blob: "x".repeat(1_048_577) } })
      for (const path of ["/webhooks/stripe", `/webhooks/polar/${tenant.id}`, `/webhooks/sepay/${tenant.id}`]) {
        const response = yield* postRaw(path, huge, { "stripe-signature": "t=1,v1=00" })
        assert.strictEqual(response.status, 413, path)
        assert.strictEqual(json(response.text)._tag, "PayloadTooLarge", path)
      }
      yield* assertNothingWritten(tenant.id)
    }).pipe(Effect.provide(stripeTestServer())))
})
