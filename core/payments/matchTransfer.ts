import { DateTime } from "effect"
import type { BankTransfer } from "./BankTransfer.js"
import type { HoldReason } from "./HeldTransfer.js"
import { contentContainsCode, normalizePaymentCode } from "./PaymentCode.js"
import type { PaymentOrder } from "./PaymentOrder.js"

/**
 * How a transfer relates to an order:
 * - Paid: with what arrived before (an underpaid order's), at least the amount due has
 *   arrived (receivedMinor is the total; overpaidMinor the excess, recorded);
 * - Underpaid: still less (the order is held for an admin to review, no role);
 * - Held: the transfer is the order's money but cannot pay it (a second payment,
 *   or dated before the order): held for an admin to apply or refund;
 * - NotForThisOrder: the transfer does not settle this order, and why.
 * `late` says the transfer arrived after the order expired: it is still
 * honoured (the code is the order's and the money is in the account).
 */
export type TransferMatch =
  | {
    readonly _tag: "Paid"
    readonly receivedMinor: number
    readonly overpaidMinor: number
    readonly late: boolean
  }
  | {
    readonly _tag: "Underpaid"
    readonly receivedMinor: number
    readonly shortMinor: number
    readonly late: boolean
  }
  | { readonly _tag: "Held"; readonly reason: HoldReason }
  | { readonly _tag: "NotForThisOrder"; readonly reason: string }

const notForThisOrder = (reason: string): TransferMatch => ({ _tag: "NotForThisOrder", reason })

const sameAccount = (a: string, b: string): boolean => a.trim().toUpperCase() === b.trim().toUpperCase()

/** SePay's extracted code, or else the order's code as a whole token in the content. */
const carriesCode = (order: PaymentOrder, transfer: BankTransfer): boolean =>
  (transfer.code !== null && normalizePaymentCode(transfer.code) === normalizePaymentCode(order.code))
  || contentContainsCode(transfer.content, normalizePaymentCode(order.code))

/**
 * Whether `transfer` settles `order` at `settlementTime`. Rules, in order:
 * money going out never settles; the transfer must carry the order's code,
 * reach the order's receiving account, and be in VND; an order already paid
 * or refunded holds it, as does a transfer dated before the order (at second
 * precision, SePay's); then what arrived in all (an underpaid order's earlier
 * transfers and this one) ≥ due is Paid, less is Underpaid.
 */
export const matchTransfer = (
  order: PaymentOrder,
  transfer: BankTransfer,
  settlementTime: DateTime.Utc
): TransferMatch => {
  if (transfer.direction !== "in") return notForThisOrder("the transfer is outgoing")
  if (!carriesCode(order, transfer)) return notForThisOrder("the transfer does not carry the order's payment code")
  if (!sameAccount(transfer.accountNumber, order.accountNumber)) {
    return notForThisOrder("the transfer reached another receiving account")
  }
  if (order.amountDue.currency !== "VND") return notForThisOrder("the order is not in VND")
  if (!Number.isSafeInteger(transfer.amount) || transfer.amount < 0) {
    return notForThisOrder("the transfer amount is not a whole number of dong")
  }
  if (order.status === "paid" || order.status === "refunded") return { _tag: "Held", reason: "order_settled" }
  const orderSecond = Math.floor(order.createdAt.epochMillis / 1000) * 1000
  if (transfer.occurredAt.epochMillis < orderSecond) return { _tag: "Held", reason: "dated_before_order" }
  const late = DateTime.greaterThan(settlementTime, order.expiresAt)
  const due = order.amountDue.minor
  const received = (order.status === "underpaid" ? order.receivedMinor : 0) + transfer.amount
  return received >= due
    ? { _tag: "Paid", receivedMinor: received, overpaidMinor: received - due, late }
    : { _tag: "Underpaid", receivedMinor: received, shortMinor: due - received, late }
}
