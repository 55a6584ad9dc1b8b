import { Effect, Option, Schema } from "effect"
import { Currency } from "../billing/Money.js"
import { TenantId } from "../ids.js"
import { JobKind } from "../jobs/JobKind.js"
import type { JobSpec } from "../ports/Jobs.js"
import { PaymentOrderRepo } from "../ports/PaymentOrderRepo.js"
import { HeldTransfer, HoldReason } from "./HeldTransfer.js"

/**
 * The jobs that write a SePay order's side of a payment. Each is enqueued in
 * the ledger transaction that records the transfer (or the admin's action),
 * so it commits with it and runs exactly once in effect.
 */

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

const hold = (tenantId: TenantId, transfer: HoldTransfer) =>
  Effect.flatMap(PaymentOrderRepo, (orders) =>
    orders.hold(HeldTransfer.make({
      tenantId,
      transactionId: transfer.transactionId,
      orderId: transfer.orderId,
      amount: { minor: transfer.amountMinor, currency: transfer.currency },
      reason: transfer.reason,
      occurredAt: transfer.occurredAt,
      heldAt: transfer.heldAt,
      status: "held",
      resolvedAt: null,
      resolvedBy: null
    })))

/** Settles a SePay order once its transfer (or an admin's action) has been recorded. */
export const settleOrderKind = JobKind.make({
  kind: "payments.settle_order",
  payload: SettleOrder,
  handle: (settlement) =>
    Effect.gen(function*() {
      const orders = yield* PaymentOrderRepo
      const tenantId = TenantId.make(settlement.tenantId)
      const settled = yield* orders.settle(tenantId, settlement.orderId, settlement.expected, {
        status: settlement.status,
        receivedMinor: settlement.receivedMinor,
        overpaidMinor: settlement.overpaidMinor,
        transactionId: settlement.transactionId,
        settledAt: settlement.settledAt
      })
      // Not settled: this job's earlier run did (nothing to do), or the order changed since the transfer was
      // matched. A short transfer was only counted toward the order; hold it so the money is not lost.
      const { transfer } = settlement
      if (!settled && settlement.status === "underpaid" && transfer !== null && settlement.transactionId !== null) {
        const current = yield* orders.find(tenantId, settlement.orderId)
        const counted = Option.exists(
          current,
          (order) =>
            order.transactionId === settlement.transactionId && order.receivedMinor === settlement.receivedMinor
        )
        if (!counted) {
          yield* hold(tenantId, {
            tenantId,
            transactionId: settlement.transactionId,
            orderId: settlement.orderId,
            amountMinor: transfer.amountMinor,
            currency: Currency.make(transfer.currency),
            reason: "order_changed",
            occurredAt: transfer.occurredAt,
            heldAt: settlement.settledAt
          })
        }
      }
    })
})

/** Holds a transfer that names an order but could not be applied to it. */
export const holdTransferKind = JobKind.make({
  kind: "payments.hold_transfer",
  payload: HoldTransfer,
  handle: (transfer) => hold(TenantId.make(transfer.tenantId), transfer)
})

/** Marks a held transfer applied or refunded once the admin's action has been recorded. */
export const resolveHeldKind = JobKind.make({
  kind: "payments.resolve_held",
  payload: ResolveHeld,
  handle: (resolution) =>
    Effect.flatMap(PaymentOrderRepo, (orders) =>
      // false: an earlier run of this job resolved it.
      Effect.asVoid(orders.resolveHeld(TenantId.make(resolution.tenantId), resolution.transactionId, {
        status: resolution.status,
        resolvedAt: resolution.resolvedAt,
        resolvedBy: resolution.resolvedBy
      })))
})

/** `key` names what caused the settlement: one job per transfer or admin action. */
export const settleOrderJob = (tenantId: TenantId, settle: SettleOrder, key: string): JobSpec =>
  settleOrderKind.spec({
    tenantId,
    payload: settle,
    runAt: settle.settledAt,
    idempotencyKey: `${settleOrderKind.kind}:${key}`
  })

export const holdTransferJob = (tenantId: TenantId, hold: HoldTransfer): JobSpec =>
  holdTransferKind.spec({
    tenantId,
    payload: hold,
    runAt: hold.heldAt,
    idempotencyKey: `${holdTransferKind.kind}:sepay:${hold.transactionId}`
  })

export const resolveHeldJob = (tenantId: TenantId, resolve: ResolveHeld): JobSpec =>
  resolveHeldKind.spec({
    tenantId,
    payload: resolve,
    runAt: resolve.resolvedAt,
    idempotencyKey: `${resolveHeldKind.kind}:sepay:${resolve.transactionId}`
  })
