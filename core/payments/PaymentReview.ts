import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { Billing } from "../billing/Billing.js"
import type { TenantId } from "../ids.js"
import { AuditLog } from "../ports/AuditLog.js"
import { BillingLedger, type WebhookReceipt } from "../ports/BillingLedger.js"
import { Crypto } from "../ports/Crypto.js"
import { PaymentOrderRepo } from "../ports/PaymentOrderRepo.js"
import { HeldPaymentNotFound, HeldPaymentResolved } from "./errors.js"
import type { HeldTransfer } from "./HeldTransfer.js"
import { resolveHeldJob, settleOrderJob } from "./orderJobs.js"
import { PaidRoles } from "./PaidRoles.js"
import type { PaymentOrder } from "./PaymentOrder.js"

/** What is waiting for a person: transfers held, and orders short of their amount. */
export interface HeldPayments {
  readonly transfers: ReadonlyArray<HeldTransfer>
  readonly underpaidOrders: ReadonlyArray<PaymentOrder>
}

export type HeldPayment =
  | { readonly kind: "transfer"; readonly transactionId: string }
  | { readonly kind: "order"; readonly orderId: string }

/** apply: the member gets the order's pass from now; refund: the money was sent back, nothing is granted. */
export type ReviewAction = "apply" | "refund"

const shown = 500
const isUuid = Schema.is(Schema.UUID)

const make = Effect.gen(function*() {
  const orders = yield* PaymentOrderRepo
  const ledger = yield* BillingLedger
  const billing = yield* Billing
  const paidRoles = yield* PaidRoles
  const audit = yield* AuditLog
  const crypto = yield* Crypto

  /** The tenant's, or with None every tenant's (the operator's view). */
  const list = (tenantId: Option.Option<TenantId>): Effect.Effect<HeldPayments> =>
    Effect.map(
      Effect.all([orders.listHeld(tenantId, { limit: shown }), orders.listUnderpaid(tenantId, { limit: shown })]),
      ([transfers, underpaidOrders]) => ({ transfers, underpaidOrders })
    )

  const orderOf = (tenantId: TenantId, id: string) => Effect.map(orders.find(tenantId, id), Option.getOrThrow)

  /**
   * Applies or refunds a held payment. The decision is one ledger transaction:
   * a receipt keyed by the payment (so of two decisions, the second is a
   * duplicate and refused), the pass when applied, and the job that marks the
   * transfer or order resolved. The receipt records who decided, as does the audit trail.
   */
  const resolve = (
    tenantId: TenantId,
    payment: HeldPayment,
    action: ReviewAction,
    actor: string
  ): Effect.Effect<"applied" | "refunded", HeldPaymentNotFound | HeldPaymentResolved> =>
    Effect.gen(function*() {
      const now = yield* DateTime.now
      const id = payment.kind === "transfer" ? payment.transactionId : payment.orderId
      const resolved = action === "apply" ? "applied" as const : "refunded" as const
      let order: PaymentOrder
      let amountMinor: number
      let job
      if (payment.kind === "transfer") {
        const held = yield* orders.findHeld(tenantId, payment.transactionId)
        if (Option.isNone(held)) return yield* HeldPaymentNotFound.of("transfer", id)
        if (held.value.status !== "held") return yield* HeldPaymentResolved.of("transfer", id, held.value.status)
        order = yield* orderOf(tenantId, held.value.orderId)
        amountMinor = held.value.amount.minor
        job = resolveHeldJob(tenantId, {
          tenantId,
          transactionId: payment.transactionId,
          status: resolved,
          resolvedAt: now,
          resolvedBy: actor
        })
      } else {
        const found = isUuid(payment.orderId) ? yield* orders.find(tenantId, payment.orderId) : Option.none()
        if (Option.isNone(found) || found.value.status === "pending" || found.value.status === "expired") {
          return yield* HeldPaymentNotFound.of("order", id)
        }
        order = found.value
        if (order.status !== "underpaid") return yield* HeldPaymentResolved.of("order", id, order.status)
        amountMinor = order.receivedMinor
        job = settleOrderJob(tenantId, {
          tenantId,
          orderId: order.id,
          expected: { status: "underpaid", receivedMinor: order.receivedMinor },
          status: action === "apply" ? "paid" : "refunded",
          receivedMinor: order.receivedMinor,
          overpaidMinor: 0,
          transactionId: order.transactionId,
          settledAt: now,
          transfer: null
        }, `review:${order.id}`)
      }
      const receipt: WebhookReceipt = {
        provider: "guildhall",
        providerEventId: `review:${payment.kind}:${id}`,
        type: `review.${action}`,
        tenantId,
        payload: JSON.stringify({ kind: payment.kind, id, action, by: actor }),
        receivedAt: now
      }
      const outcome = action === "apply"
        ? yield* billing.apply(receipt, paidRoles.passPaid(order, receipt.providerEventId, amountMinor, now), [job])
        : yield* ledger.record({
          receipt,
          outcome: "ignored",
          note: `marked refunded by ${actor}: ${amountMinor} VND for order ${order.code}`,
          transition: Option.none(),
          jobs: [job]
        })
      if (outcome === "duplicate") return yield* HeldPaymentResolved.of(payment.kind, id, "already decided")
      // After the commit: the receipt is the decision's record; the audit trail is where people look for it.
      yield* audit.record({
        id: yield* crypto.uuid,
        tenantId,
        at: now,
        actor,
        action: `payments.held_${payment.kind}.${resolved}`,
        subject: `${payment.kind}:${id}`,
        detail: { orderId: order.id, amountMinor, currency: order.amountDue.currency }
      })
      return resolved
    })

  return { list, resolve } as const
})

/** Money received and not applied: listed for the tenant's admins and the operator, who apply or refund it. */
export interface PaymentReviewService {
  /** The tenant's held payments, or with None every tenant's (the operator's view). */
  readonly list: (tenantId: Option.Option<TenantId>) => Effect.Effect<HeldPayments>
  /** Applies or refunds a held payment, once: a second decision is refused. */
  readonly resolve: (
    tenantId: TenantId,
    payment: HeldPayment,
    action: ReviewAction,
    actor: string
  ) => Effect.Effect<"applied" | "refunded", HeldPaymentNotFound | HeldPaymentResolved>
}

export class PaymentReview extends Context.Tag("core/PaymentReview")<PaymentReview, PaymentReviewService>() {
  static readonly layer = Layer.effect(PaymentReview, make)
}
