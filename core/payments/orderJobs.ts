import { type DateTime, Schema } from "effect"
import { Currency } from "../billing/Money.js"
import type { TenantId } from "../ids.js"
import type { JobSpec } from "../ports/Jobs.js"
import { HoldReason } from "./HeldTransfer.js"

/**
 * The jobs that write a SePay order's side of a payment. Each is enqueued in
 * the ledger transaction that records the transfer (or the admin's action),
 * so it commits with it and runs exactly once in effect.
 */

/** Settles a SePay order once its transfer (or an admin's action) has been recorded. */
export const settleOrderJobKind = "payments.settle_order"
/** Holds a transfer that names an order but could not be applied to it. */
export const holdTransferJobKind = "payments.hold_transfer"
/** Marks a held transfer applied or refunded once the admin's action has been recorded. */
export const resolveHeldJobKind = "payments.resolve_held"

export const SettleOrder = Schema.Struct({
  tenantId: Schema.String,
  orderId: Schema.String,
  /** What the settlement was decided from (jobs of older versions settled pending orders only). */
  expected: Schema.optionalWith(
    Schema.Struct({ status: Schema.Literal("pending", "underpaid"), receivedMinor: Schema.Int }),
    { default: () => ({ status: "pending" as const, receivedMinor: 0 }) }
  ),
  status: Schema.Literal("paid", "underpaid", "refunded"),
  receivedMinor: Schema.Int,
  overpaidMinor: Schema.Int,
  transactionId: Schema.NullOr(Schema.String),
  settledAt: Schema.DateTimeUtc,
  /** The transfer being counted, if any: held for review if the order changed before it could be. */
  transfer: Schema.optionalWith(
    Schema.NullOr(Schema.Struct({ amountMinor: Schema.Int, currency: Currency, occurredAt: Schema.DateTimeUtc })),
    { default: () => null }
  )
})
export type SettleOrder = typeof SettleOrder.Type

export const HoldTransfer = Schema.Struct({
  tenantId: Schema.String,
  transactionId: Schema.String,
  orderId: Schema.String,
  amountMinor: Schema.Int,
  currency: Currency,
  reason: HoldReason,
  occurredAt: Schema.DateTimeUtc,
  heldAt: Schema.DateTimeUtc
})
export type HoldTransfer = typeof HoldTransfer.Type

export const ResolveHeld = Schema.Struct({
  tenantId: Schema.String,
  transactionId: Schema.String,
  status: Schema.Literal("applied", "refunded"),
  resolvedAt: Schema.DateTimeUtc,
  resolvedBy: Schema.String
})
export type ResolveHeld = typeof ResolveHeld.Type

const job = <A, I>(
  schema: Schema.Schema<A, I>,
  kind: string,
  tenantId: TenantId,
  payload: A,
  runAt: DateTime.Utc,
  key: string
): JobSpec => ({
  tenantId,
  kind,
  payload: Schema.encodeSync(schema)(payload),
  runAt,
  idempotencyKey: `${kind}:${key}`
})

/** `key` names what caused the settlement: one job per transfer or admin action. */
export const settleOrderJob = (tenantId: TenantId, settle: SettleOrder, key: string): JobSpec =>
  job(SettleOrder, settleOrderJobKind, tenantId, settle, settle.settledAt, key)

export const holdTransferJob = (tenantId: TenantId, hold: HoldTransfer): JobSpec =>
  job(HoldTransfer, holdTransferJobKind, tenantId, hold, hold.heldAt, `sepay:${hold.transactionId}`)

export const resolveHeldJob = (tenantId: TenantId, resolve: ResolveHeld): JobSpec =>
  job(ResolveHeld, resolveHeldJobKind, tenantId, resolve, resolve.resolvedAt, `sepay:${resolve.transactionId}`)
