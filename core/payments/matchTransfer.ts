import { DateTime } from "effect"
import type { BankTransfer } from "./BankTransfer.js"
import { contentContainsCode, normalizePaymentCode } from "./PaymentCode.js"
import type { PaymentOrder } from "./PaymentOrder.js"

/**
 * How a transfer relates to an order:
 * - Paid: at least the amount due arrived (overpaidMinor is the excess, recorded);
 * - Underpaid: less arrived (held for an admin to review, no role);
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
  | { readonly _tag: "NotForThisOrder"; readonly reason: string }

const notForThisOrder = (reason: string): TransferMatch => ({ _tag: "NotForThisOrder", reason })

const sameAccount = (a: string, b: string): boolean => a.trim().toUpperCase() === b.trim().toUpperCase()

/** SePay's extracted code, or else the order's code as a whole token in the content. */
const carriesCode = (order: PaymentOrder, transfer: BankTransfer): boolean =>
  (transfer.code !== null && normalizePaymentCode(transfer.code) === normalizePaymentCode(order.code))
  || contentContainsCode(transfer.content, normalizePaymentCode(order.code))

/**
 * Whether `transfer` settles `order` at `settlementTime`. Rules, in order:
 * money going out never settles; an order already paid or underpaid is not
 * settled twice; the transfer must carry the order's code, reach the order's
 * receiving account, and be in VND; then amount ≥ due is Paid, less is Underpaid.
 */
export const matchTransfer = (
  order: PaymentOrder,
  transfer: BankTransfer,
  settlementTime: DateTime.Utc
): TransferMatch => {
  if (transfer.direction !== "in") return notForThisOrder("the transfer is outgoing")
  if (order.status === "paid" || order.status === "underpaid" || order.transactionId !== null) {
    return notForThisOrder("the order is already settled")
  }
  if (!carriesCode(order, transfer)) return notForThisOrder("the transfer does not carry the order's payment code")
  if (!sameAccount(transfer.accountNumber, order.accountNumber)) {
    return notForThisOrder("the transfer reached another receiving account")
  }
  if (order.amountDue.currency !== "VND") return notForThisOrder("the order is not in VND")
  if (!Number.isSafeInteger(transfer.amount) || transfer.amount < 0) {
    return notForThisOrder("the transfer amount is not a whole number of dong")
  }
  const late = DateTime.greaterThan(settlementTime, order.expiresAt)
  const due = order.amountDue.minor
  return transfer.amount >= due
    ? { _tag: "Paid", receivedMinor: transfer.amount, overpaidMinor: transfer.amount - due, late }
    : { _tag: "Underpaid", receivedMinor: transfer.amount, shortMinor: due - transfer.amount, late }
}
