import { assert, layer } from "@effect/vitest"
import { DateTime, Duration, Effect, Option, Redacted, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { DiscordRolesMemoryControl } from "../../adapters/memory/index.js"
import {
  type BankTransfer,
  BillingLedger,
  Currency,
  type HeldPayment,
  type MemberRoleSubject,
  PaidRoles,
  PaymentOrderRepo,
  PaymentReview,
  PaymentSetup,
  SepaySettings,
  settleOrderKind,
  subjectKey,
  type TenantId,
  type UserId
} from "../../core/index.js"
import {
  advanceBy,
  advanceTo,
  billingRuntimes,
  drainJobs,
  holdsRole,
  jobsOf,
  newRoleId,
  newUserId,
  roleChangesOf,
  startClock,
  tenantWithGuild
} from "../support/billing.js"

/**
 * Paid roles bought by bank transfer (SePay): an order with a payment code,
 * the transfer matched to it, the role granted by the worker and the order
 * settled; overpaid, underpaid (held for review, no role), a second transfer
 * extending the pass, and the pass running out.
 */

const account = "0123456789"
const price = 50_000
const passDays = 30
const urls = { successUrl: "https://example.test/ok", cancelUrl: "https://example.test/cancel" }

/** A premium tenant with SePay configured and a role sold over it for 50,000 VND a 30-day pass. */
const sepayShop = Effect.gen(function*() {
  yield* startClock
  const { guildId, tenantId } = yield* tenantWithGuild("premium")
  yield* (yield* PaymentSetup).configureSepay(tenantId, {
    settings: Schema.decodeSync(SepaySettings)({
      codePrefix: "GH",
      accounts: [{ accountNumber: account, bankCode: "MBBank" }]
    }),
    apiKey: Redacted.make("sepay-api-key"),
    hmacSecret: undefined
  }).pipe(Effect.orDie)
  const roleId = newRoleId()
  yield* (yield* PaidRoles).put(tenantId, guildId, roleId, {
    name: "Pass",
    price: { minor: price, currency: Currency.make("VND") },
    stripePriceId: null,
    polarProductId: null,
    sepayPassDays: passDays,
    graceDays: 0
  }).pipe(Effect.orDie)
  return { tenantId, guildId, roleId }
})

type Shop = Effect.Effect.Success<typeof sepayShop>

/** A member (joining the guild if not in it yet) and the SePay order they checked out. */
const order = (shop: Shop, userId: UserId = newUserId()) =>
  Effect.gen(function*() {
    const discord = yield* DiscordRolesMemoryControl
    if (Option.isNone(yield* discord.roles(shop.guildId, userId))) yield* discord.addMember(shop.guildId, userId)
    const offer = yield* (yield* PaidRoles).checkout(shop.tenantId, shop.guildId, shop.roleId, userId, "sepay", urls)
      .pipe(Effect.orDie)
    assert.strictEqual(offer._tag, "BankTransfer")
    if (offer._tag !== "BankTransfer") return yield* Effect.die("not a bank transfer")
    assert.deepStrictEqual(
      { account: offer.order.accountNumber, due: offer.order.amountDue.minor, status: offer.order.status },
      { account, due: price, status: "pending" }
    )
    const subject: MemberRoleSubject = { _tag: "MemberRole", ...shop, userId }
    return { order: offer.order, subject }
  })

/** SePay reports `amount` VND arriving with the order's code in the content, dated now (or `occurredAt`). */
const transferFor = (code: string, amount: number, occurredAt?: DateTime.Utc) =>
  Effect.map(DateTime.now, (now): BankTransfer => ({
    id: `sepay-${randomUUID()}`,
    gateway: "MBBank",
    occurredAt: occurredAt ?? now,
    accountNumber: account,
    code,
    content: `${code} thanh toan`,
    direction: "in",
    amount,
    referenceCode: null
  }))

/** The verified SePay webhook for `transfer`, through PaidRoles. */
const ingest = (tenantId: TenantId, transfer: BankTransfer) =>
  Effect.flatMap(PaidRoles, (paidRoles) =>
    paidRoles.ingestBankTransfer(tenantId, {
      provider: "sepay",
      providerEventId: transfer.id,
      type: "in",
      tenantId,
      payload: JSON.stringify({ id: transfer.id, transferAmount: transfer.amount, content: transfer.content }),
      receivedAt: transfer.occurredAt
    }, transfer))

const pay = (tenantId: TenantId, code: string, amount: number, occurredAt?: DateTime.Utc) =>
  Effect.gen(function*() {
    const transfer = yield* transferFor(code, amount, occurredAt)
    return { transfer, outcome: yield* ingest(tenantId, transfer) }
  })

const heldNow = (tenantId: TenantId) => Effect.flatMap(PaymentReview, (review) => review.list(Option.some(tenantId)))

const decide = (tenantId: TenantId, payment: HeldPayment, action: "apply" | "refund") =>
  Effect.flatMap(PaymentReview, (review) => review.resolve(tenantId, payment, action, "tenant"))

const orderNow = (tenantId: TenantId, id: string) =>
  Effect.flatMap(PaymentOrderRepo, (orders) => orders.find(tenantId, id)).pipe(Effect.map(Option.getOrThrow))

const subscriptionOf = (subject: MemberRoleSubject) =>
  Effect.flatMap(BillingLedger, (ledger) => ledger.findSubscription(subject.tenantId, subjectKey(subject))).pipe(
    Effect.map(Option.getOrThrow)
  )

const receiptOutcome = (tenantId: TenantId, eventId: string) =>
  Effect.flatMap(BillingLedger, (ledger) => ledger.listReceipts(tenantId, { limit: 100 })).pipe(
    Effect.map((receipts) => receipts.find((receipt) => receipt.providerEventId === eventId)?.outcome)
  )

for (const runtime of await billingRuntimes()) {
  layer(runtime.layer(), { timeout: 120_000 })(`SePay flow on ${runtime.name}`, (it) => {
    it.effect("a paid order grants the role and settles paid, the overpayment recorded; a second pass extends it; expiry revokes", () =>
      Effect.gen(function*() {
        const shop = yield* sepayShop
        const { order: first, subject } = yield* order(shop)
        const paid = yield* pay(shop.tenantId, first.code, price + 10_000)
        assert.strictEqual(paid.outcome, "recorded")
        assert.strictEqual(yield* receiptOutcome(shop.tenantId, paid.transfer.id), "applied")
        // SePay retries the webhook: a duplicate, settling and granting nothing more.
        assert.strictEqual(yield* ingest(shop.tenantId, paid.transfer), "duplicate")
        assert.strictEqual((yield* jobsOf(shop.tenantId, settleOrderKind.kind)).length, 1)
        yield* drainJobs

        assert.isTrue(yield* holdsRole(subject))
        const settled = yield* orderNow(shop.tenantId, first.id)
        assert.deepStrictEqual(
          {
            status: settled.status,
            receivedMinor: settled.receivedMinor,
            overpaidMinor: settled.overpaidMinor,
            transactionId: settled.transactionId
          },
          { status: "paid", receivedMinor: price + 10_000, overpaidMinor: 10_000, transactionId: paid.transfer.id }
        )
        const firstEnd = DateTime.addDuration(paid.transfer.occurredAt, Duration.days(passDays))
        const afterFirst = yield* subscriptionOf(subject)
        assert.deepStrictEqual(
          { status: afterFirst.status, currentPeriodEnd: afterFirst.currentPeriodEnd },
          { status: "active", currentPeriodEnd: firstEnd }
        )

        // Ten days in, the member buys another pass: it starts where the first ends.
        yield* advanceBy(Duration.days(10))
        const { order: second } = yield* order(shop, subject.userId)
        assert.strictEqual((yield* pay(shop.tenantId, second.code, price)).outcome, "recorded")
        yield* drainJobs
        const secondEnd = DateTime.addDuration(firstEnd, Duration.days(passDays))
        assert.deepStrictEqual((yield* subscriptionOf(subject)).currentPeriodEnd, secondEnd)
        assert.strictEqual((yield* orderNow(shop.tenantId, second.id)).status, "paid")
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 1, revokes: 0 })

        // The first pass's end passes by without effect; the second's revokes the role.
        yield* advanceTo(DateTime.addDuration(firstEnd, Duration.hours(1)))
        yield* drainJobs
        assert.isTrue(yield* holdsRole(subject))
        yield* advanceTo(secondEnd)
        yield* drainJobs
        assert.strictEqual((yield* subscriptionOf(subject)).status, "ended")
        assert.isFalse(yield* holdsRole(subject))
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 1, revokes: 1 })

        // A week after it lapsed, the member pays again: a new pass from that day, and the role back.
        yield* advanceBy(Duration.days(7))
        const { order: renewal } = yield* order(shop, subject.userId)
        const renewed = yield* pay(shop.tenantId, renewal.code, price)
        yield* drainJobs
        const afterRenewal = yield* subscriptionOf(subject)
        assert.deepStrictEqual(
          { status: afterRenewal.status, currentPeriodEnd: afterRenewal.currentPeriodEnd },
          {
            status: "active",
            currentPeriodEnd: DateTime.addDuration(renewed.transfer.occurredAt, Duration.days(passDays))
          }
        )
        assert.isTrue(yield* holdsRole(subject))
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 2, revokes: 1 })
      }))

    it.effect("an underpaid order is held for review: settled underpaid, no role", () =>
      Effect.gen(function*() {
        const shop = yield* sepayShop
        const { order: short, subject } = yield* order(shop)
        const paid = yield* pay(shop.tenantId, short.code, price - 20_000)
        assert.strictEqual(paid.outcome, "recorded")
        assert.strictEqual(yield* receiptOutcome(shop.tenantId, paid.transfer.id), "held_for_review")
        yield* drainJobs

        const settled = yield* orderNow(shop.tenantId, short.id)
        assert.deepStrictEqual(
          { status: settled.status, receivedMinor: settled.receivedMinor, overpaidMinor: settled.overpaidMinor },
          { status: "underpaid", receivedMinor: price - 20_000, overpaidMinor: 0 }
        )
        assert.isFalse(yield* holdsRole(subject))
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 0, revokes: 0 })
        const ledger = yield* BillingLedger
        assert.isTrue(Option.isNone(yield* ledger.findSubscription(shop.tenantId, subjectKey(subject))))
      }))

    it.effect("a second full transfer for a paid order is held for review, listed; applied, its pass starts now", () =>
      Effect.gen(function*() {
        const shop = yield* sepayShop
        const { order: first, subject } = yield* order(shop)
        const paid = yield* pay(shop.tenantId, first.code, price)
        yield* drainJobs
        const firstEnd = DateTime.addDuration(paid.transfer.occurredAt, Duration.days(passDays))

        yield* advanceBy(Duration.days(2))
        const again = yield* pay(shop.tenantId, first.code, price)
        assert.strictEqual(again.outcome, "recorded")
        assert.strictEqual(yield* receiptOutcome(shop.tenantId, again.transfer.id), "held_for_review")
        yield* drainJobs
        const held = yield* heldNow(shop.tenantId)
        assert.deepStrictEqual(
          held.transfers.map((t) => [t.transactionId, t.orderId, t.amount.minor, t.reason, t.status]),
          [[again.transfer.id, first.id, price, "order_settled", "held"]]
        )
        assert.deepStrictEqual((yield* subscriptionOf(subject)).currentPeriodEnd, firstEnd)

        const payment = { kind: "transfer", transactionId: again.transfer.id } as const
        assert.strictEqual(yield* decide(shop.tenantId, payment, "apply"), "applied")
        assert.strictEqual((yield* Effect.flip(decide(shop.tenantId, payment, "refund")))._tag, "HeldPaymentResolved")
        yield* drainJobs
        assert.deepStrictEqual((yield* heldNow(shop.tenantId)).transfers, [])
        // The member already held a pass: the applied one follows it.
        assert.deepStrictEqual(
          (yield* subscriptionOf(subject)).currentPeriodEnd,
          DateTime.addDuration(firstEnd, Duration.days(passDays))
        )
        assert.strictEqual((yield* Effect.flip(decide(shop.tenantId, payment, "apply")))._tag, "HeldPaymentResolved")

        // A third: marked refunded, nothing granted.
        const third = yield* pay(shop.tenantId, first.code, price)
        yield* drainJobs
        const refunded = { kind: "transfer", transactionId: third.transfer.id } as const
        assert.strictEqual(yield* decide(shop.tenantId, refunded, "refund"), "refunded")
        yield* drainJobs
        assert.deepStrictEqual((yield* heldNow(shop.tenantId)).transfers, [])
        assert.deepStrictEqual(
          (yield* subscriptionOf(subject)).currentPeriodEnd,
          DateTime.addDuration(firstEnd, Duration.days(passDays))
        )
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 1, revokes: 0 })
      }))

    it.effect("top-ups to an underpaid order count together: the one that reaches the amount settles it", () =>
      Effect.gen(function*() {
        const shop = yield* sepayShop
        const { order: short, subject } = yield* order(shop)
        yield* pay(shop.tenantId, short.code, price - 20_000)
        yield* drainJobs
        assert.deepStrictEqual((yield* heldNow(shop.tenantId)).underpaidOrders.map((o) => o.id), [short.id])

        const notYet = yield* pay(shop.tenantId, short.code, 10_000)
        assert.strictEqual(yield* receiptOutcome(shop.tenantId, notYet.transfer.id), "held_for_review")
        yield* drainJobs
        assert.strictEqual((yield* orderNow(shop.tenantId, short.id)).receivedMinor, price - 10_000)
        assert.isFalse(yield* holdsRole(subject))

        const rest = yield* pay(shop.tenantId, short.code, 15_000)
        assert.strictEqual(yield* receiptOutcome(shop.tenantId, rest.transfer.id), "applied")
        yield* drainJobs
        const settled = yield* orderNow(shop.tenantId, short.id)
        assert.deepStrictEqual(
          { status: settled.status, receivedMinor: settled.receivedMinor, overpaidMinor: settled.overpaidMinor },
          { status: "paid", receivedMinor: price + 5_000, overpaidMinor: 5_000 }
        )
        assert.isTrue(yield* holdsRole(subject))
        assert.deepStrictEqual(yield* heldNow(shop.tenantId), { transfers: [], underpaidOrders: [] })
      }))

    it.effect("an underpaid order is applied (the role, from now) or marked refunded by an admin", () =>
      Effect.gen(function*() {
        const shop = yield* sepayShop
        const { order: applied, subject } = yield* order(shop)
        const { order: refunded, subject: other } = yield* order(shop)
        yield* pay(shop.tenantId, applied.code, price - 1_000)
        yield* pay(shop.tenantId, refunded.code, 5_000)
        yield* drainJobs
        assert.sameMembers((yield* heldNow(shop.tenantId)).underpaidOrders.map((o) => o.id), [applied.id, refunded.id])

        yield* advanceBy(Duration.days(1))
        const now = yield* DateTime.now
        assert.strictEqual(yield* decide(shop.tenantId, { kind: "order", orderId: applied.id }, "apply"), "applied")
        assert.strictEqual(yield* decide(shop.tenantId, { kind: "order", orderId: refunded.id }, "refund"), "refunded")
        yield* drainJobs
        assert.strictEqual((yield* orderNow(shop.tenantId, applied.id)).status, "paid")
        assert.strictEqual((yield* orderNow(shop.tenantId, refunded.id)).status, "refunded")
        assert.isTrue(yield* holdsRole(subject))
        assert.deepStrictEqual(
          (yield* subscriptionOf(subject)).currentPeriodEnd,
          DateTime.addDuration(now, Duration.days(passDays))
        )
        assert.isFalse(yield* holdsRole(other))
        assert.deepStrictEqual(yield* heldNow(shop.tenantId), { transfers: [], underpaidOrders: [] })
        const again = yield* Effect.flip(decide(shop.tenantId, { kind: "order", orderId: refunded.id }, "apply"))
        assert.strictEqual(again._tag, "HeldPaymentResolved")
      }))

    it.effect("a transfer dated before its order is held; one that arrives late starts its pass when applied", () =>
      Effect.gen(function*() {
        const shop = yield* sepayShop
        const { order: fresh, subject } = yield* order(shop)
        const before = yield* pay(
          shop.tenantId,
          fresh.code,
          price,
          DateTime.subtractDuration(fresh.createdAt, "1 hour")
        )
        assert.strictEqual(yield* receiptOutcome(shop.tenantId, before.transfer.id), "held_for_review")
        yield* drainJobs
        assert.deepStrictEqual(
          (yield* heldNow(shop.tenantId)).transfers.map((t) => [t.transactionId, t.reason]),
          [[before.transfer.id, "dated_before_order"]]
        )
        assert.strictEqual((yield* orderNow(shop.tenantId, fresh.id)).status, "pending")
        assert.isFalse(yield* holdsRole(subject))
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 0, revokes: 0 })

        // Dated a minute after its order, delivered 40 days later (longer than the pass): the pass starts now.
        const { order: late, subject: member } = yield* order(shop)
        yield* advanceBy(Duration.days(40))
        const now = yield* DateTime.now
        yield* pay(shop.tenantId, late.code, price, DateTime.addDuration(late.createdAt, "1 minute"))
        yield* drainJobs
        const state = yield* subscriptionOf(member)
        assert.deepStrictEqual(
          { status: state.status, currentPeriodEnd: state.currentPeriodEnd },
          { status: "active", currentPeriodEnd: DateTime.addDuration(now, Duration.days(passDays)) }
        )
        assert.isTrue(yield* holdsRole(member))
        assert.deepStrictEqual(yield* roleChangesOf(member), { grants: 1, revokes: 0 })
      }))
  })
}
