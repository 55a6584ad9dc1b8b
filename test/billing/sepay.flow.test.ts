import { assert, layer } from "@effect/vitest"
import { DateTime, Duration, Effect, Option, Redacted, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { DiscordRolesMemoryControl } from "../../adapters/memory/index.js"
import {
  type BankTransfer,
  BillingLedger,
  Currency,
  type MemberRoleSubject,
  PaidRoles,
  PaymentOrderRepo,
  PaymentSetup,
  SepaySettings,
  settleOrderJobKind,
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

/** SePay reports `amount` VND arriving with the order's code in the content, now. */
const transferFor = (code: string, amount: number) =>
  Effect.map(DateTime.now, (now): BankTransfer => ({
    id: `sepay-${randomUUID()}`,
    gateway: "MBBank",
    occurredAt: now,
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

const pay = (tenantId: TenantId, code: string, amount: number) =>
  Effect.gen(function*() {
    const transfer = yield* transferFor(code, amount)
    return { transfer, outcome: yield* ingest(tenantId, transfer) }
  })

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
        assert.strictEqual((yield* jobsOf(shop.tenantId, settleOrderJobKind)).length, 1)
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
  })
}
