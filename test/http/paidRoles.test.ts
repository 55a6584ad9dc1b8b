import { OpenApi } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { Api } from "../../adapters/http/index.js"
import { DiscordRolesMemoryControl, ReadinessMemory } from "../../adapters/memory/index.js"
import { type DiscordRoleError, PaidRole, PaidRoleRepo, PaymentOrderRepo, PlanKey } from "../../core/index.js"
import { FakePolar } from "../support/fakes/FakePolar.js"
import { FakeStripe } from "../support/fakes/FakeStripe.js"
import { sepayApiKeyHeader } from "../support/fakes/signing.js"
import {
  createTenantWithKey,
  guildId,
  makeTestServer,
  rawJson,
  runJobs,
  tenantWithGuild,
  TestServer
} from "./harness.js"
import {
  memberId,
  paidRoleInput,
  polarProductId,
  polarSettings,
  polarToken,
  postSepay,
  roleId,
  sepayApiKey,
  sepaySettings,
  sepayTransfer,
  stripeTestServer
} from "./paymentFixtures.js"

/** Paid roles through the API: CRUD under the plan's limit, checkouts per provider, isolation, and the job outbox. */

const premium = PlanKey.make("premium")
const basic = PlanKey.make("basic")
const free = PlanKey.make("free")

const rolePath = (guild: string, role: string) => `/assets/${guild}/paid-roles/${role}`

describe("paid roles CRUD", () => {
  it.effect("put, list, update (createdAt kept), delete, and a second delete is 404", () =>
    Effect.gen(function*() {
      const { client, guildId: guild, key, tenant } = yield* tenantWithGuild("Acme", premium)
      assert.deepStrictEqual(yield* client.assetsPaidRoles.list({ path: { guildId: guild } }), [])

      const created = yield* client.assetsPaidRoles.put({
        path: { guildId: guild, roleId: roleId(1) },
        payload: paidRoleInput({ stripe: true, sepayPassDays: 30 })
      })
      assert.strictEqual(created.tenantId, tenant.id)
      assert.strictEqual(created.guildId, guild)
      assert.strictEqual(created.roleId, roleId(1))
      assert.deepStrictEqual(created.price, { minor: 50_000, currency: "VND" })
      assert.strictEqual(created.sepayPassDays, 30)
      assert.deepStrictEqual(yield* client.assetsPaidRoles.list({ path: { guildId: guild } }), [created])

      const renamed = yield* client.assetsPaidRoles.put({
        path: { guildId: guild, roleId: roleId(1) },
        payload: { ...paidRoleInput({ sepayPassDays: 7 }), name: "Patron" }
      })
      assert.strictEqual(renamed.name, "Patron")
      assert.strictEqual(renamed.stripePriceId, null)
      assert.deepStrictEqual(renamed.createdAt, created.createdAt)
      assert.deepStrictEqual(yield* client.assetsPaidRoles.list({ path: { guildId: guild } }), [renamed])

      const badPrice = yield* rawJson("PUT", rolePath(guild, roleId(2)), key, {
        ...paidRoleInput({ stripe: true }),
        stripePriceId: "not-a-price"
      })
      assert.strictEqual(badPrice.status, 400)
      assert.match(JSON.stringify(badPrice.body), /Expected a Stripe price id/)
      assert.lengthOf(yield* client.assetsPaidRoles.list({ path: { guildId: guild } }), 1)

      yield* client.assetsPaidRoles.remove({ path: { guildId: guild, roleId: roleId(1) } })
      assert.deepStrictEqual(yield* client.assetsPaidRoles.list({ path: { guildId: guild } }), [])
      const again = yield* client.assetsPaidRoles.remove({ path: { guildId: guild, roleId: roleId(1) } }).pipe(
        Effect.flip
      )
      assert.strictEqual(again._tag, "PaidRoleNotFound")
    }).pipe(Effect.provide(TestServer)))

  it.effect("the free plan sells no roles: 403 PaidRoleLimitReached with the upgrade hint", () =>
    Effect.gen(function*() {
      const { guildId: guild, key } = yield* tenantWithGuild("Acme", free)
      const response = yield* rawJson("PUT", rolePath(guild, roleId(1)), key, {
        ...paidRoleInput({ sepayPassDays: 30 })
      })
      assert.strictEqual(response.status, 403)
      assert.strictEqual(response.body._tag, "PaidRoleLimitReached")
      assert.strictEqual(response.body.planKey, "free")
      assert.strictEqual(response.body.limit, 0)
      assert.match(response.body.message, /does not include paid roles/)
      assert.match(response.body.remediation, /Upgrade the plan/)
      assert.deepStrictEqual((yield* rawJson("GET", `/assets/${guild}/paid-roles`, key)).body, [])
    }).pipe(Effect.provide(TestServer)))

  it.effect("basic allows 2: a third is refused, changing one already sold is not", () =>
    Effect.gen(function*() {
      const { client, guildId: guild, key } = yield* tenantWithGuild("Acme", basic)
      for (const n of [1, 2]) {
        yield* client.assetsPaidRoles.put({
          path: { guildId: guild, roleId: roleId(n) },
          payload: paidRoleInput({ sepayPassDays: 30 })
        })
      }
      const third = yield* rawJson("PUT", rolePath(guild, roleId(3)), key, paidRoleInput({ sepayPassDays: 30 }))
      assert.strictEqual(third.status, 403)
      assert.match(third.body.message, /allows 2 paid roles per guild and all are in use/)
      const updated = yield* rawJson("PUT", rolePath(guild, roleId(2)), key, paidRoleInput({ sepayPassDays: 60 }))
      assert.strictEqual(updated.status, 200)
      assert.strictEqual(updated.body.sepayPassDays, 60)
    }).pipe(Effect.provide(TestServer)))
})

describe("paid roles across tenants", () => {
  it.effect("tenant B cannot list, put, delete, check out, reconcile or read subscriptions on A's guild (404)", () =>
    Effect.gen(function*() {
      const acme = yield* tenantWithGuild("Acme", premium, guildId(1))
      const role = yield* acme.client.assetsPaidRoles.put({
        path: { guildId: acme.guildId, roleId: roleId(1) },
        payload: paidRoleInput({ sepayPassDays: 30 })
      })
      const globex = yield* createTenantWithKey(acme.operatorKey, "Globex", premium)

      const guild = acme.guildId
      const attempts = [
        ["GET", `/assets/${guild}/paid-roles`, undefined],
        ["PUT", rolePath(guild, roleId(2)), paidRoleInput({ sepayPassDays: 30 })],
        ["PUT", rolePath(guild, roleId(1)), paidRoleInput({ sepayPassDays: 1 })],
        ["DELETE", rolePath(guild, roleId(1)), undefined],
        ["POST", `${rolePath(guild, roleId(1))}/checkout`, { userId: memberId(1), provider: "sepay" }],
        ["GET", `/assets/${guild}/subscriptions`, undefined],
        ["POST", `/assets/${guild}/paid-roles/reconcile`, undefined]
      ] as const
      for (const [method, path, body] of attempts) {
        const response = yield* rawJson(method, path, globex.key, body)
        assert.strictEqual(response.status, 404, `${method} ${path}`)
        assert.strictEqual(response.body._tag, "GuildNotFound", `${method} ${path}`)
      }
      // Nothing of Acme's changed.
      assert.deepStrictEqual(yield* acme.client.assetsPaidRoles.list({ path: { guildId: guild } }), [role])
    }).pipe(Effect.provide(TestServer)))
})

describe("SePay sells VND only", () => {
  const usdOverSepay = { ...paidRoleInput({ sepayPassDays: 30 }), price: { minor: 500, currency: "USD" } }

  it.effect("a role sold over SePay at a USD price is refused at PUT, at checkout and when configuring SePay", () =>
    Effect.gen(function*() {
      const { client, guildId: guild, key, tenant } = yield* tenantWithGuild("Acme", premium)
      yield* client.billing.configureSepay({ payload: { settings: sepaySettings, apiKey: Redacted.make(sepayApiKey) } })

      const put = yield* rawJson("PUT", rolePath(guild, roleId(1)), key, usdOverSepay)
      assert.strictEqual(put.status, 400)
      assert.strictEqual(put.body._tag, "SepaySellsVndOnly")
      assert.match(put.body.message, /^SePay sells VND only: .*priced in USD.*"currency": "VND"/)
      assert.deepStrictEqual(yield* client.assetsPaidRoles.list({ path: { guildId: guild } }), [])
      // The same price sold only on Stripe is fine: the rule is SePay's.
      const onStripe = yield* rawJson("PUT", rolePath(guild, roleId(1)), key, {
        ...usdOverSepay,
        sepayPassDays: null,
        stripePriceId: "price_supporter"
      })
      assert.strictEqual(onStripe.status, 200)

      // A role stored before the check (as an older version let it be): checkout refuses and makes no order.
      const roles = yield* PaidRoleRepo
      const [role] = yield* roles.list(tenant.id, guild)
      yield* roles.upsert(PaidRole.make({ ...role!, sepayPassDays: 30 }))
      const checkout = yield* rawJson("POST", `${rolePath(guild, roleId(1))}/checkout`, key, {
        userId: memberId(1),
        provider: "sepay"
      })
      assert.strictEqual(checkout.status, 400)
      assert.strictEqual(checkout.body._tag, "SepaySellsVndOnly")
      assert.strictEqual(yield* Effect.flatMap(PaymentOrderRepo, (orders) => orders.count(tenant.id)), 0)

      // Setting SePay up again names the role to fix.
      const configure = yield* rawJson("PUT", "/billing/providers/sepay", key, {
        settings: sepaySettings,
        apiKey: sepayApiKey
      })
      assert.strictEqual(configure.status, 400)
      assert.strictEqual(configure.body._tag, "SepaySellsVndOnly")
      assert.deepStrictEqual(configure.body.roles, [`${guild}/${roleId(1)}`])
    }).pipe(Effect.provide(TestServer)))

  it("the API schema says what price.minor counts in each currency", () => {
    const spec = OpenApi.fromApi(Api)
    const minor = JSON.stringify(spec.components.schemas)
    assert.include(minor, "whole dong for VND, which has no minor unit")
    assert.include(minor, "cents for USD")
    const put = spec.paths["/assets/{guildId}/paid-roles/{roleId}"]?.put
    assert.include(put?.description, "SePay sells VND only")
  })
})

describe("paid role checkout", () => {
  it.effect("a provider the role is not sold through is 400 and names the ones it is", () =>
    Effect.gen(function*() {
      const { client, guildId: guild, key } = yield* tenantWithGuild("Acme", premium)
      yield* client.assetsPaidRoles.put({
        path: { guildId: guild, roleId: roleId(1) },
        payload: paidRoleInput({ sepayPassDays: 30 })
      })
      const response = yield* rawJson("POST", `${rolePath(guild, roleId(1))}/checkout`, key, {
        userId: memberId(1),
        provider: "stripe"
      })
      assert.strictEqual(response.status, 400)
      assert.strictEqual(response.body._tag, "ProviderNotOffered")
      assert.match(response.body.message, /not sold through stripe\. It is sold through: sepay/)

      const unsold = yield* rawJson("POST", `${rolePath(guild, roleId(9))}/checkout`, key, { userId: memberId(1) })
      assert.strictEqual(unsold.status, 404)
      assert.strictEqual(unsold.body._tag, "PaidRoleNotFound")
    }).pipe(Effect.provide(TestServer)))

  it.effect("Stripe, SePay or Polar not configured: 503 saying what to configure", () =>
    Effect.gen(function*() {
      const { client, guildId: guild, key } = yield* tenantWithGuild("Acme", premium)
      yield* client.assetsPaidRoles.put({
        path: { guildId: guild, roleId: roleId(1) },
        payload: paidRoleInput({ stripe: true, polar: true, sepayPassDays: 30 })
      })
      const stripe = yield* rawJson("POST", `${rolePath(guild, roleId(1))}/checkout`, key, {
        userId: memberId(1),
        provider: "stripe"
      })
      assert.strictEqual(stripe.status, 503)
      assert.strictEqual(stripe.body._tag, "PaymentProviderNotConfigured")
      assert.match(stripe.body.message, /STRIPE_SECRET/)
      for (const provider of ["polar", "sepay"]) {
        const response = yield* rawJson("POST", `${rolePath(guild, roleId(1))}/checkout`, key, {
          userId: memberId(1),
          provider
        })
        assert.strictEqual(response.status, 503, provider)
        assert.strictEqual(response.body._tag, "PaymentProviderNotConfigured")
        assert.include(response.body.message, `PUT /billing/providers/${provider}`)
      }
    }).pipe(Effect.provide(TestServer)))

  it.effect("a guild the bot was removed from sells nothing: checkout and reconcile are 404 and no order is made", () =>
    Effect.gen(function*() {
      const { client, guildId: guild, key, tenant } = yield* tenantWithGuild("Acme", premium)
      yield* client.billing.configureSepay({ payload: { settings: sepaySettings, apiKey: Redacted.make(sepayApiKey) } })
      yield* client.assetsPaidRoles.put({
        path: { guildId: guild, roleId: roleId(1) },
        payload: paidRoleInput({ sepayPassDays: 30 })
      })
      assert.strictEqual((yield* rawJson("DELETE", `/assets/${guild}`, key)).status, 200)

      const response = yield* rawJson("POST", `${rolePath(guild, roleId(1))}/checkout`, key, {
        userId: memberId(1),
        provider: "sepay"
      })
      assert.strictEqual(response.status, 404)
      assert.strictEqual(response.body._tag, "GuildNotFound")
      assert.strictEqual(yield* Effect.flatMap(PaymentOrderRepo, (orders) => orders.count(tenant.id)), 0)
      const reconcile = yield* rawJson("POST", `/assets/${guild}/paid-roles/reconcile`, key)
      assert.strictEqual(reconcile.status, 404)
      assert.strictEqual(reconcile.body._tag, "GuildNotFound")
    }).pipe(Effect.provide(TestServer)))

  it.effect("Stripe: a checkout link whose metadata names the member's role", () =>
    Effect.gen(function*() {
      const { client, guildId: guild, tenant } = yield* tenantWithGuild("Acme", premium)
      yield* client.assetsPaidRoles.put({
        path: { guildId: guild, roleId: roleId(1) },
        payload: paidRoleInput({ stripe: true })
      })
      const offer = yield* client.assetsPaidRoles.checkout({
        path: { guildId: guild, roleId: roleId(1) },
        payload: { userId: memberId(1) }
      })
      assert.strictEqual(offer.kind, "link")
      if (offer.kind !== "link") return
      assert.strictEqual(offer.provider, "stripe")
      assert.match(offer.url, /^https:\/\/checkout\.stripe\.com\//)
      const [session] = (yield* FakeStripe).requestsTo("/v1/checkout/sessions", "POST")
      assert.deepStrictEqual(session!.body["metadata"], {
        tenant_id: tenant.id,
        guild_id: guild,
        role_id: roleId(1),
        user_id: memberId(1)
      })
      assert.deepStrictEqual(session!.body["line_items"], [{ price: "price_supporter", quantity: "1" }])
    }).pipe(Effect.provide(stripeTestServer())))

  it.effect("Polar: a checkout created with the tenant's own organization token", () =>
    Effect.gen(function*() {
      const fake = yield* FakePolar.make({ tokens: [polarToken], products: [polarProductId] })
      yield* Effect.gen(function*() {
        const { client, guildId: guild, tenant } = yield* tenantWithGuild("Acme", premium)
        yield* client.billing.configurePolar({ payload: polarSettings })
        yield* client.assetsPaidRoles.put({
          path: { guildId: guild, roleId: roleId(1) },
          payload: paidRoleInput({ polar: true })
        })
        const offer = yield* client.assetsPaidRoles.checkout({
          path: { guildId: guild, roleId: roleId(1) },
          payload: { userId: memberId(1), provider: "polar" }
        })
        assert.strictEqual(offer.kind, "link")
        if (offer.kind !== "link") return
        assert.strictEqual(offer.provider, "polar")
        assert.isTrue(offer.url.startsWith(`${fake.baseUrl}/checkout/`))
        const [request] = fake.requests
        assert.strictEqual(request!.headers["authorization"], `Bearer ${polarToken}`)
        assert.deepStrictEqual(request!.body, {
          products: [polarProductId],
          external_customer_id: `discord:${memberId(1)}`,
          metadata: { tenant_id: tenant.id, guild_id: guild, role_id: roleId(1), user_id: memberId(1) },
          success_url: "https://guildhall.test/checkout/done"
        })

        // A revoked token: Polar's refusal is passed on as 502.
        yield* client.billing.configurePolar({
          payload: { ...polarSettings, accessToken: Redacted.make("polar_oat_revoked") }
        })
        const refused = yield* client.assetsPaidRoles.checkout({
          path: { guildId: guild, roleId: roleId(1) },
          payload: { userId: memberId(1), provider: "polar" }
        }).pipe(Effect.flip)
        assert.strictEqual(refused._tag, "PaymentProviderFailed")
      }).pipe(Effect.provide(makeTestServer(ReadinessMemory, { polarApiBase: fake.baseUrl })))
    }).pipe(Effect.scoped))
})

describe("jobs", () => {
  /** A member pays for a SePay pass while the bot lacks Manage Roles: the grant is dead-lettered. */
  const deadGrant = Effect.gen(function*() {
    const shop = yield* tenantWithGuild("Acme", premium, guildId(1))
    yield* shop.client.billing.configureSepay({
      payload: { settings: sepaySettings, apiKey: Redacted.make(sepayApiKey) }
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
    if (order.kind !== "bank_transfer") throw new Error("expected a bank transfer order")
    const body = sepayTransfer({ id: 5_001, code: order.paymentCode, amount: 50_000 })
    assert.strictEqual((yield* postSepay(shop.tenant.id, body, sepayApiKeyHeader(sepayApiKey))).status, 200)
    yield* discord.failNext("missing_permissions")
    yield* runJobs
    return { ...shop, discord }
  })

  it.live("operators list dead letters with the reason, revive one, and it runs again", () =>
    Effect.gen(function*() {
      const { discord, guildId: guild, operator } = yield* deadGrant
      const dead = yield* operator.jobs.list({ urlParams: { status: "dead", limit: 100 } })
      assert.deepStrictEqual(dead.map((job) => [job.kind, job.status]), [["billing.GrantRole", "dead"]])
      assert.match(dead[0]!.lastError ?? "", /Manage Roles/)
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([]))

      const revived = yield* operator.jobs.revive({ path: { id: dead[0]!.id } })
      assert.strictEqual(revived.status, "pending")
      yield* runJobs
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([roleId(1)]))
      assert.deepStrictEqual(yield* operator.jobs.list({ urlParams: { status: "dead", limit: 100 } }), [])
      const done = yield* operator.jobs.list({ urlParams: { status: "done", kind: "billing.GrantRole", limit: 100 } })
      assert.deepStrictEqual(done.map((job) => job.id), [dead[0]!.id])

      const missing = yield* operator.jobs.revive({ path: { id: dead[0]!.id } }).pipe(Effect.flip)
      assert.strictEqual(missing._tag, "JobNotFound")
    }).pipe(Effect.provide(TestServer)))

  it.live("a tenant key can neither list nor revive jobs (403)", () =>
    Effect.gen(function*() {
      const { key, operator } = yield* deadGrant
      const [job] = yield* operator.jobs.list({ urlParams: { status: "dead", limit: 100 } })
      const list = yield* rawJson("GET", "/jobs", key)
      assert.strictEqual(list.status, 403)
      assert.strictEqual(list.body._tag, "OperatorOnly")
      const revive = yield* rawJson("POST", `/jobs/${job!.id}/revive`, key)
      assert.strictEqual(revive.status, 403)
      assert.strictEqual((yield* operator.jobs.list({ urlParams: { status: "dead", limit: 100 } }))[0]?.status, "dead")
    }).pipe(Effect.provide(TestServer)))

  it.live("reconcile gives a paying member back a role removed by hand", () =>
    Effect.gen(function*() {
      const { client, discord, guildId: guild, operator } = yield* deadGrant
      const [dead] = yield* operator.jobs.list({ urlParams: { status: "dead", limit: 100 } })
      yield* operator.jobs.revive({ path: { id: dead!.id } })
      yield* runJobs
      // An admin takes the role away in Discord.
      yield* discord.addMember(guild, memberId(1), [])
      const fixes = yield* client.assetsPaidRoles.reconcile({ path: { guildId: guild } })
      assert.deepStrictEqual(fixes, { granted: 1, revoked: 0 })
      yield* runJobs
      assert.deepStrictEqual(yield* discord.roles(guild, memberId(1)), Option.some([roleId(1)]))
      assert.deepStrictEqual(yield* client.assetsPaidRoles.reconcile({ path: { guildId: guild } }), {
        granted: 0,
        revoked: 0
      })
      // Discord refuses: the admin gets Discord's reason and what to do about it.
      yield* discord.failNext("missing_access")
      const refused = yield* client.assetsPaidRoles.reconcile({ path: { guildId: guild } }).pipe(Effect.flip)
      assert.strictEqual(refused._tag, "DiscordRoleError")
      assert.include((refused as DiscordRoleError).remediation, "Re-invite the bot")
    }).pipe(Effect.provide(TestServer)))
})
