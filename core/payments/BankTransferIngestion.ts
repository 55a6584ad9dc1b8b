import { DateTime, Duration, Effect, Option } from "effect"
import { Billing } from "../billing/Billing.js"
import type { BillingEvent } from "../billing/BillingEvent.js"
import { Currency } from "../billing/Money.js"
import type { TenantId } from "../ids.js"
import { BillingLedger, type WebhookReceipt } from "../ports/BillingLedger.js"
import { PaymentOrderRepo } from "../ports/PaymentOrderRepo.js"
import { PaymentSettingsRepo } from "../ports/PaymentSettingsRepo.js"
import type { BankTransfer } from "./BankTransfer.js"
import { holdReasonText } from "./HeldTransfer.js"
import { matchTransfer } from "./matchTransfer.js"
import { holdTransferJob, settleOrderJob } from "./orderJobs.js"
import { findPaymentCode, normalizePaymentCode } from "./PaymentCode.js"
import type { PaymentOrder } from "./PaymentOrder.js"

const vnd = Currency.make("VND")

/**
 * The order's pass paid: it starts now, when the payment is applied, whatever
 * date the transfer carries (a pass dated in the past would already be over).
 */
export const passPaid = (
  order: PaymentOrder,
  eventId: string,
  receivedMinor: number,
  now: DateTime.Utc
): BillingEvent => ({
  _tag: "payment.succeeded",
  provider: "sepay",
  providerEventId: eventId,
  occurredAt: now,
  subject: {
    _tag: "MemberRole",
    tenantId: order.tenantId,
    guildId: order.guildId,
    roleId: order.roleId,
    userId: order.userId
  },
  correlationId: order.id,
  amount: { minor: receivedMinor, currency: vnd },
  paidThrough: DateTime.addDuration(now, Duration.days(order.passDays))
})

/** SePay bank transfers matched to their orders: paid, held for review, or ignored. */
export const makeBankTransferIngestion = Effect.gen(function*() {
  const orders = yield* PaymentOrderRepo
  const settings = yield* PaymentSettingsRepo
  const ledger = yield* BillingLedger
  const billing = yield* Billing

  /**
   * A verified SePay transfer for the tenant: matched to its order by payment
   * code, account and amount. Paid (with an underpaid order's earlier
   * transfers, if any) → a pass from now (payment.succeeded) applied with the
   * order's settlement; short → the order held for review; money that cannot
   * pay its order (a second payment, dated before the order) → held for
   * review; anything else recorded as ignored. One ledger transaction each.
   */
  const ingestBankTransfer = (tenantId: TenantId, receipt: WebhookReceipt, transfer: BankTransfer) =>
    Effect.gen(function*() {
      const ignore = (note: string) =>
        ledger.record({ receipt, outcome: "ignored", note, transition: Option.none(), jobs: [] })
      const config = Option.flatMap(yield* settings.get(tenantId), (s) => Option.fromNullable(s.sepay))
      if (Option.isNone(config)) return yield* ignore("SePay is not configured for this tenant")
      const { codePrefix, suffixLength } = config.value.settings
      // SePay's extracted code first; when it names no order (or there is none), the code found in the content.
      const candidates = [
        ...(transfer.code !== null ? [normalizePaymentCode(transfer.code)] : []),
        findPaymentCode(transfer.content, codePrefix, suffixLength)
      ].filter((code, i, all): code is string => code !== null && all.indexOf(code) === i)
      if (candidates.length === 0) return yield* ignore("the transfer carries no payment code")
      const found = yield* Effect.reduce(
        candidates,
        Option.none<PaymentOrder>(),
        (found, code) => Option.isSome(found) ? Effect.succeed(found) : orders.findByCode(tenantId, code)
      )
      if (Option.isNone(found)) return yield* ignore(`no order has payment code ${candidates.join(" or ")}`)
      const order = found.value
      const now = yield* DateTime.now
      const match = matchTransfer(order, transfer, now)
      if (match._tag === "NotForThisOrder") return yield* ignore(match.reason)
      if (match._tag === "Held") {
        return yield* ledger.record({
          receipt,
          outcome: "held_for_review",
          note: `${transfer.amount} VND for order ${order.code} held for review: ${holdReasonText[match.reason]}`,
          transition: Option.none(),
          jobs: [holdTransferJob(tenantId, {
            tenantId,
            transactionId: transfer.id,
            orderId: order.id,
            amountMinor: transfer.amount,
            currency: vnd,
            reason: match.reason,
            occurredAt: transfer.occurredAt,
            heldAt: now
          })]
        })
      }
      const settle = settleOrderJob(tenantId, {
        tenantId,
        orderId: order.id,
        expected: {
          status: order.status === "underpaid" ? "underpaid" : "pending",
          receivedMinor: order.receivedMinor
        },
        status: match._tag === "Paid" ? "paid" : "underpaid",
        receivedMinor: match.receivedMinor,
        overpaidMinor: match._tag === "Paid" ? match.overpaidMinor : 0,
        transactionId: transfer.id,
        settledAt: now,
        transfer: { amountMinor: transfer.amount, currency: vnd, occurredAt: transfer.occurredAt }
      }, `sepay:${transfer.id}`)
      if (match._tag === "Underpaid") {
        return yield* ledger.record({
          receipt,
          outcome: "held_for_review",
          note: `received ${match.receivedMinor} of ${order.amountDue.minor} VND for order ${order.code}: ` +
            "held for an admin to review",
          transition: Option.none(),
          jobs: [settle]
        })
      }
      return yield* billing.apply(receipt, passPaid(order, transfer.id, match.receivedMinor, now), [settle])
    })

  return { ingestBankTransfer } as const
})
