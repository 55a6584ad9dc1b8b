import { Schema } from "effect"
import { Money } from "../billing/Money.js"
import { TenantId } from "../ids.js"

/**
 * Why a transfer that names an order was not applied to it:
 * - order_settled: the order was already paid (or refunded): a second payment;
 * - dated_before_order: its transactionDate is before the order existed, so it cannot be this order's payment;
 * - order_changed: the order changed between the transfer's arrival and its settlement (another transfer won).
 */
export const HoldReason = Schema.Literal("order_settled", "dated_before_order", "order_changed")
export type HoldReason = typeof HoldReason.Type

export const HeldTransferStatus = Schema.Literal("held", "applied", "refunded")
export type HeldTransferStatus = typeof HeldTransferStatus.Type

/** Money that arrived for an order and was not applied: held until an admin applies it or marks it refunded. */
export class HeldTransfer extends Schema.Class<HeldTransfer>("HeldTransfer")({
  tenantId: TenantId,
  /** SePay's transaction id. */
  transactionId: Schema.String,
  orderId: Schema.UUID,
  amount: Money,
  reason: HoldReason,
  /** The transfer's transactionDate. */
  occurredAt: Schema.DateTimeUtc,
  heldAt: Schema.DateTimeUtc,
  status: HeldTransferStatus,
  resolvedAt: Schema.NullOr(Schema.DateTimeUtc),
  /** Who applied or refunded it ("operator", "tenant"). */
  resolvedBy: Schema.NullOr(Schema.String)
}) {}

/** The words a person reads for each reason. */
export const holdReasonText: Record<HoldReason, string> = {
  order_settled: "the order was already settled: a second payment",
  dated_before_order: "the transfer is dated before the order existed",
  order_changed: "the order changed before this transfer could be applied"
}
