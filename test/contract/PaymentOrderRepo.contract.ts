import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { randomUUID } from "node:crypto"
import {
  Currency,
  type GuildRepo,
  HeldTransfer,
  type OrderSettlement,
  PaymentOrder,
  PaymentOrderRepo,
  RoleId,
  type TenantRepo,
  UserId
} from "../../core/index.js"
import { at } from "../support/fixtures.js"
import { tenantWithGuilds } from "../support/policy.js"
import type { Store } from "../support/stores.js"

const pending = { status: "pending", receivedMinor: 0 } as const

export type PaymentOrderPorts = TenantRepo | GuildRepo | PaymentOrderRepo

const makeOrder = (fields: Pick<PaymentOrder, "tenantId" | "guildId" | "code"> & Partial<PaymentOrder>) =>
  PaymentOrder.make({
    id: randomUUID(),
    roleId: RoleId.make("400000000000000001"),
    userId: UserId.make("500000000000000001"),
    amountDue: { minor: 99_000, currency: Currency.make("VND") },
    accountNumber: "0123456789",
    bankCode: "MBBank",
    passDays: 30,
    status: "pending",
    receivedMinor: 0,
    overpaidMinor: 0,
    transactionId: null,
    createdAt: at(1_000),
    expiresAt: at(86_401_000),
    settledAt: null,
    ...fields
  })

export const paymentOrderRepoContract = (store: Store<PaymentOrderPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`PaymentOrderRepo on ${store.name}`, (it) => {
    it.effect("inserts orders, finds them by id and by code case-insensitively, and counts them", () =>
      Effect.gen(function*() {
        const orders = yield* PaymentOrderRepo
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        const first = makeOrder({ tenantId, guildId, code: "GHAB12CD34" })
        const second = makeOrder({ tenantId, guildId, code: "GH99887766", userId: UserId.make("500000000000000002") })
        assert.strictEqual(yield* orders.count(tenantId), 0)
        assert.strictEqual(yield* orders.insert(first), "inserted")
        assert.strictEqual(yield* orders.insert(second), "inserted")
        assert.strictEqual(yield* orders.count(tenantId), 2)
        assert.deepStrictEqual(yield* orders.find(tenantId, first.id), Option.some(first))
        assert.deepStrictEqual(yield* orders.findByCode(tenantId, "GHAB12CD34"), Option.some(first))
        assert.deepStrictEqual(yield* orders.findByCode(tenantId, "ghab12cd34"), Option.some(first))
        assert.deepStrictEqual(yield* orders.findByCode(tenantId, "gH99887766"), Option.some(second))
        assert.deepStrictEqual(yield* orders.findByCode(tenantId, "GHAB12CD3"), Option.none())
        assert.deepStrictEqual(yield* orders.find(tenantId, randomUUID()), Option.none())
      }))

    it.effect("a code is taken per tenant whatever its case; another tenant may use it", () =>
      Effect.gen(function*() {
        const orders = yield* PaymentOrderRepo
        const one = yield* tenantWithGuilds()
        const other = yield* tenantWithGuilds()
        const original = makeOrder({ tenantId: one.tenantId, guildId: one.guildIds[0], code: "GHTAKEN01" })
        assert.strictEqual(yield* orders.insert(original), "inserted")
        const clash = makeOrder({ tenantId: one.tenantId, guildId: one.guildIds[0], code: "ghtaken01" })
        assert.strictEqual(yield* orders.insert(clash), "code_taken")
        assert.deepStrictEqual(yield* orders.find(one.tenantId, clash.id), Option.none())
        assert.strictEqual(yield* orders.count(one.tenantId), 1)
        assert.deepStrictEqual(yield* orders.findByCode(one.tenantId, "GHTAKEN01"), Option.some(original))

        const elsewhere = makeOrder({ tenantId: other.tenantId, guildId: other.guildIds[0], code: "GHTAKEN01" })
        assert.strictEqual(yield* orders.insert(elsewhere), "inserted")
        assert.deepStrictEqual(yield* orders.findByCode(other.tenantId, "ghtaken01"), Option.some(elsewhere))
        assert.deepStrictEqual(yield* orders.findByCode(one.tenantId, "ghtaken01"), Option.some(original))
      }))

    it.effect("settles a pending order once: a second settlement changes nothing", () =>
      Effect.gen(function*() {
        const orders = yield* PaymentOrderRepo
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        const order = makeOrder({ tenantId, guildId, code: "GHSETTLE1" })
        yield* orders.insert(order)
        const paid: OrderSettlement = {
          status: "paid",
          receivedMinor: 100_000,
          overpaidMinor: 1_000,
          transactionId: "92704",
          settledAt: at(60_000)
        }
        assert.isTrue(yield* orders.settle(tenantId, order.id, pending, paid))
        const settled = PaymentOrder.make({ ...order, ...paid })
        assert.deepStrictEqual(yield* orders.find(tenantId, order.id), Option.some(settled))
        const late: OrderSettlement = {
          status: "expired",
          receivedMinor: 0,
          overpaidMinor: 0,
          transactionId: null,
          settledAt: at(9e7)
        }
        assert.isFalse(yield* orders.settle(tenantId, order.id, pending, late))
        assert.deepStrictEqual(yield* orders.find(tenantId, order.id), Option.some(settled))
        assert.isFalse(yield* orders.settle(tenantId, randomUUID(), pending, paid))
      }))

    it.effect("of concurrent settlements of one order exactly one succeeds", () =>
      Effect.gen(function*() {
        const orders = yield* PaymentOrderRepo
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        const order = makeOrder({ tenantId, guildId, code: "GHRACE001" })
        yield* orders.insert(order)
        const outcomes = yield* Effect.forEach(
          [1, 2, 3, 4],
          (n) =>
            orders.settle(tenantId, order.id, pending, {
              status: "paid",
              receivedMinor: 99_000,
              overpaidMinor: 0,
              transactionId: `tx-${n}`,
              settledAt: at(60_000)
            }),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(outcomes.filter(Boolean).length, 1)
        const stored = Option.getOrThrow(yield* orders.find(tenantId, order.id))
        assert.strictEqual(stored.transactionId, `tx-${outcomes.indexOf(true) + 1}`)
      }))

    it.effect("a tenant neither sees, counts nor settles another tenant's orders", () =>
      Effect.gen(function*() {
        const orders = yield* PaymentOrderRepo
        const owner = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const order = makeOrder({ tenantId: owner.tenantId, guildId: owner.guildIds[0], code: "GHOWNED01" })
        yield* orders.insert(order)
        assert.deepStrictEqual(yield* orders.find(intruder.tenantId, order.id), Option.none())
        assert.deepStrictEqual(yield* orders.findByCode(intruder.tenantId, order.code), Option.none())
        assert.strictEqual(yield* orders.count(intruder.tenantId), 0)
        const settlement: OrderSettlement = {
          status: "paid",
          receivedMinor: 1,
          overpaidMinor: 0,
          transactionId: null,
          settledAt: at(1)
        }
        assert.isFalse(yield* orders.settle(intruder.tenantId, order.id, pending, settlement))
        assert.deepStrictEqual(yield* orders.find(owner.tenantId, order.id), Option.some(order))
      }))

    it.effect("an underpaid order is settled again only as it was read: a top-up, then refunded; listed while underpaid", () =>
      Effect.gen(function*() {
        const orders = yield* PaymentOrderRepo
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        const order = makeOrder({ tenantId, guildId, code: "GHSHORT01" })
        yield* orders.insert(order)
        const short = { status: "underpaid", receivedMinor: 40_000, overpaidMinor: 0, transactionId: "t1" } as const
        assert.isTrue(yield* orders.settle(tenantId, order.id, pending, { ...short, settledAt: at(60_000) }))
        assert.deepStrictEqual(
          (yield* orders.listUnderpaid(Option.some(tenantId), { limit: 10 })).map((o) => o.id),
          [order.id]
        )
        assert.isTrue(
          (yield* orders.listUnderpaid(Option.none(), { limit: 10_000 })).some((o) => o.id === order.id)
        )
        // Decided from an older reading (nothing received yet): refused.
        const topUp = { status: "underpaid", receivedMinor: 70_000, overpaidMinor: 0, transactionId: "t2" } as const
        assert.isFalse(yield* orders.settle(tenantId, order.id, pending, { ...topUp, settledAt: at(70_000) }))
        const afterFirst = { status: "underpaid", receivedMinor: 40_000 } as const
        assert.isTrue(yield* orders.settle(tenantId, order.id, afterFirst, { ...topUp, settledAt: at(70_000) }))
        assert.strictEqual(Option.getOrThrow(yield* orders.find(tenantId, order.id)).receivedMinor, 70_000)
        const refunded = { ...topUp, status: "refunded", settledAt: at(80_000) } as const
        assert.isTrue(
          yield* orders.settle(tenantId, order.id, { status: "underpaid", receivedMinor: 70_000 }, refunded)
        )
        assert.strictEqual(Option.getOrThrow(yield* orders.find(tenantId, order.id)).status, "refunded")
        assert.deepStrictEqual(yield* orders.listUnderpaid(Option.some(tenantId), { limit: 10 }), [])
      }))

    it.effect("holds a transfer once, lists it while held, resolves it once; another tenant sees none of it", () =>
      Effect.gen(function*() {
        const orders = yield* PaymentOrderRepo
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const order = makeOrder({ tenantId, guildId, code: "GHHELD001" })
        yield* orders.insert(order)
        const transfer = HeldTransfer.make({
          tenantId,
          transactionId: `sepay-${randomUUID()}`,
          orderId: order.id,
          amount: { minor: 99_000, currency: Currency.make("VND") },
          reason: "order_settled",
          occurredAt: at(50_000),
          heldAt: at(60_000),
          status: "held",
          resolvedAt: null,
          resolvedBy: null
        })
        yield* orders.hold(transfer)
        yield* orders.hold(HeldTransfer.make({ ...transfer, reason: "dated_before_order", heldAt: at(61_000) }))
        assert.deepStrictEqual(yield* orders.findHeld(tenantId, transfer.transactionId), Option.some(transfer))
        assert.deepStrictEqual(yield* orders.listHeld(Option.some(tenantId), { limit: 10 }), [transfer])
        assert.isTrue(
          (yield* orders.listHeld(Option.none(), { limit: 10_000 })).some((t) =>
            t.transactionId === transfer.transactionId
          )
        )
        assert.deepStrictEqual(yield* orders.findHeld(intruder.tenantId, transfer.transactionId), Option.none())
        assert.deepStrictEqual(yield* orders.listHeld(Option.some(intruder.tenantId), { limit: 10 }), [])
        const resolution = { status: "applied", resolvedAt: at(70_000), resolvedBy: "operator" } as const
        assert.isFalse(yield* orders.resolveHeld(intruder.tenantId, transfer.transactionId, resolution))

        assert.isTrue(yield* orders.resolveHeld(tenantId, transfer.transactionId, resolution))
        assert.isFalse(
          yield* orders.resolveHeld(tenantId, transfer.transactionId, { ...resolution, status: "refunded" })
        )
        assert.deepStrictEqual(
          yield* orders.findHeld(tenantId, transfer.transactionId),
          Option.some(HeldTransfer.make({ ...transfer, ...resolution }))
        )
        assert.deepStrictEqual(yield* orders.listHeld(Option.some(tenantId), { limit: 10 }), [])
      }))
  })
