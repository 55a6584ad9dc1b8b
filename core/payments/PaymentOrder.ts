import { Schema } from "effect"
import { Money } from "../billing/Money.js"
import { GuildId, RoleId, TenantId, UserId } from "../ids.js"

/**
 * pending: waiting for the transfer; paid: at least the amount due arrived (in
 * one transfer or with top-ups), or an admin applied what arrived; underpaid:
 * matched but short, held for an admin to review; refunded: an admin marked
 * what arrived as sent back; expired: nothing arrived in time.
 */
export const PaymentOrderStatus = Schema.Literal("pending", "paid", "underpaid", "refunded", "expired")
export type PaymentOrderStatus = typeof PaymentOrderStatus.Type

/** A SePay bank-transfer order for one member's pass on one paid role. */
export class PaymentOrder extends Schema.Class<PaymentOrder>("PaymentOrder")({
  id: Schema.UUID,
  tenantId: TenantId,
  guildId: GuildId,
  roleId: RoleId,
  userId: UserId,
  /** The payment code the member puts in the transfer content (prefix + suffix, upper case). */
  code: Schema.String,
  amountDue: Money,
  accountNumber: Schema.String,
  bankCode: Schema.String,
  passDays: Schema.Int,
  status: PaymentOrderStatus,
  /** What arrived, all transfers counted toward the order together (0 while pending). */
  receivedMinor: Schema.Int,
  /** What arrived beyond the amount due, recorded for refunds or credit. */
  overpaidMinor: Schema.Int,
  /** SePay's transaction id that settled the order. */
  transactionId: Schema.NullOr(Schema.String),
  createdAt: Schema.DateTimeUtc,
  expiresAt: Schema.DateTimeUtc,
  settledAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}
