import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { AuditLog, PlanKey, type TenantId } from "../../core/index.js"
import { sepayApiKeyHeader } from "../support/fakes/signing.js"
import { guildId, rawJson, runJobs, tenantWithGuild, TestServer } from "./harness.js"
import {
  memberId,
  paidRoleInput,
  postSepay,
  roleId,
  sepayApiKey,
  sepaySettings,
  sepayTransfer
} from "./paymentFixtures.js"

/**
 * Money received and not applied, through the API: SePay's notifications as
 * SePay sends them, the review list, and its apply / refund actions, per
 * tenant (another tenant's answers 404) and for the operator.
 */

const premium = PlanKey.make("premium")
const price = 50_000

/** A tenant selling a role over SePay (50,000 VND passes) in its guild. */
const sepayShop = (name: string, guild: ReturnType<typeof guildId>) =>
  Effect.gen(function*() {
    const shop = yield* tenantWithGuild(name, premium, guild)
    yield* shop.client.billing.configureSepay({
      payload: { settings: sepaySettings, apiKey: Redacted.make(sepayApiKey) }
    })
    yield* shop.client.assetsPaidRoles.put({
      path: { guildId: guild, roleId: roleId(1) },
      payload: paidRoleInput({ sepayPassDays: 30 })
    })
    return shop
  })

const orderFor = (shop: Effect.Effect.Success<ReturnType<typeof sepayShop>>, member: number) =>
  Effect.gen(function*() {
    const offer = yield* shop.client.assetsPaidRoles.checkout({
      path: { guildId: shop.guildId, roleId: roleId(1) },
      payload: { userId: memberId(member), provider: "sepay" }
    })
    if (offer.kind !== "bank_transfer") return yield* Effect.die("not a bank transfer")
    return offer
  })

const transfer = (tenantId: TenantId, id: number, code: string, amount: number) =>
  Effect.map(
    postSepay(tenantId, sepayTransfer({ id, code, amount }), sepayApiKeyHeader(sepayApiKey)),
    (response) => assert.strictEqual(response.status, 200, response.text)
  )

describe("held payments", () => {
  it.effect("a second transfer and an underpaid order are listed for their tenant, applied or refunded once", () =>
    Effect.gen(function*() {
      const acme = yield* sepayShop("Acme", guildId(1))
      const globex = yield* sepayShop("Globex", guildId(2))
      const paid = yield* orderFor(acme, 1)
      yield* transfer(acme.tenant.id, 5001, paid.paymentCode, price)
      yield* runJobs // the worker settles the order
      yield* transfer(acme.tenant.id, 5002, paid.paymentCode, price)
      const short = yield* orderFor(acme, 2)
      yield* transfer(acme.tenant.id, 5003, short.paymentCode, 10_000)
      yield* runJobs

      const listed = yield* rawJson("GET", "/billing/held-payments", acme.key)
      assert.strictEqual(listed.status, 200)
      assert.deepStrictEqual(
        listed.body.transfers.map((t: Record<string, unknown>) => [t.transactionId, t.orderId, t.reason, t.status]),
        [["5002", paid.orderId, "order_settled", "held"]]
      )
      assert.deepStrictEqual(
        listed.body.underpaidOrders.map((o: Record<string, unknown>) => [o.id, o.receivedMinor]),
        [[short.orderId, 10_000]]
      )

      // Another tenant sees none of it and cannot act on it: 404, as if it did not exist.
      const foreign = yield* rawJson("GET", "/billing/held-payments", globex.key)
      assert.deepStrictEqual(foreign.body, { transfers: [], underpaidOrders: [] })
      const named = yield* rawJson("GET", `/billing/held-payments?tenantId=${acme.tenant.id}`, globex.key)
      assert.strictEqual(named.status, 404)
      for (
        const path of [
          "/billing/held-payments/transfers/5002/apply",
          `/billing/held-payments/orders/${short.orderId}/refund`
        ]
      ) {
        const refused = yield* rawJson("POST", path, globex.key)
        assert.strictEqual(refused.status, 404, path)
        assert.strictEqual(refused.body._tag, "HeldPaymentNotFound")
        const asAcme = yield* rawJson("POST", `${path}?tenantId=${acme.tenant.id}`, globex.key)
        assert.strictEqual(asAcme.status, 404, path)
      }
      const unknown = yield* rawJson("POST", "/billing/held-payments/orders/not-an-order/apply", acme.key)
      assert.strictEqual(unknown.status, 404)

      // The operator sees every tenant's, and acts by naming the tenant.
      const all = yield* rawJson("GET", "/billing/held-payments", acme.operatorKey)
      assert.isTrue(all.body.transfers.some((t: Record<string, unknown>) => t.transactionId === "5002"))
      const unnamed = yield* rawJson("POST", "/billing/held-payments/transfers/5002/apply", acme.operatorKey)
      assert.strictEqual(unnamed.status, 400)
      const applied = yield* rawJson(
        "POST",
        `/billing/held-payments/transfers/5002/apply?tenantId=${acme.tenant.id}`,
        acme.operatorKey
      )
      assert.deepStrictEqual([applied.status, applied.body], [200, {
        kind: "transfers",
        id: "5002",
        status: "applied"
      }])
      const twice = yield* rawJson("POST", "/billing/held-payments/transfers/5002/refund", acme.key)
      assert.strictEqual(twice.status, 409)
      assert.strictEqual(twice.body._tag, "HeldPaymentResolved")

      const refunded = yield* rawJson("POST", `/billing/held-payments/orders/${short.orderId}/refund`, acme.key)
      assert.deepStrictEqual(refunded.body, { kind: "orders", id: short.orderId, status: "refunded" })
      yield* runJobs
      const after = yield* rawJson("GET", "/billing/held-payments", acme.key)
      assert.deepStrictEqual(after.body, { transfers: [], underpaidOrders: [] })
      const audited = yield* (yield* AuditLog).list(acme.tenant.id, { limit: 10 })
      assert.includeDeepMembers(audited.map((event) => [event.actor, event.action, event.subject]), [
        ["operator", "payments.held_transfer.applied", "transfer:5002"],
        ["tenant", "payments.held_order.refunded", `order:${short.orderId}`]
      ])
    }).pipe(Effect.provide(TestServer)))
})
