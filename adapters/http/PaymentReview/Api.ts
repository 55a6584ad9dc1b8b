import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { HeldTransfer, PaymentOrder, TenantId } from "../../../core/index.js"
import { Authentication } from "../Auth.js"
import { HeldPaymentNotFound, HeldPaymentResolved, InvalidInput, TenantNotFound } from "../shared/Errors.js"

export const HeldTransferView = Schema.Struct(HeldTransfer.fields).annotations({ identifier: "HeldTransfer" })
export const PaymentOrderView = Schema.Struct(PaymentOrder.fields).annotations({ identifier: "PaymentOrder" })

const TenantParam = Schema.optional(TenantId).annotations({
  description: "Operator keys: the tenant to act for (omitted when listing: every tenant's). Tenant keys: their own."
})

export class PaymentReviewApi extends HttpApiGroup.make("paymentReview")
  .add(
    HttpApiEndpoint.get("list", "/billing/held-payments")
      .setUrlParams(Schema.Struct({ tenantId: TenantParam }))
      .addSuccess(
        Schema.Struct({
          transfers: Schema.Array(HeldTransferView),
          underpaidOrders: Schema.Array(PaymentOrderView)
        }).annotations({ identifier: "HeldPayments" })
      )
      .addError(TenantNotFound)
      .addError(InvalidInput)
      .annotate(OpenApi.Summary, "Money received and not applied: held transfers and underpaid orders")
      .annotate(
        OpenApi.Description,
        "SePay transfers that name an order but could not pay it (the order was already settled, the transfer " +
          "is dated before the order existed, or the order changed first), and orders that received less than " +
          "their amount. A top-up that brings an underpaid order to its amount settles it by itself."
      )
  )
  .add(
    HttpApiEndpoint.post("resolve", "/billing/held-payments/:kind/:id/:action")
      .setPath(Schema.Struct({
        kind: Schema.Literal("transfers", "orders"),
        id: Schema.String,
        action: Schema.Literal("apply", "refund")
      }))
      .setUrlParams(Schema.Struct({ tenantId: TenantParam }))
      .addSuccess(Schema.Struct({
        kind: Schema.Literal("transfers", "orders"),
        id: Schema.String,
        status: Schema.Literal("applied", "refunded")
      }))
      .addError(InvalidInput)
      .addError(TenantNotFound)
      .addError(HeldPaymentNotFound)
      .addError(HeldPaymentResolved)
      .annotate(OpenApi.Summary, "Apply a held payment (the member's pass starts now) or mark it refunded")
      .annotate(
        OpenApi.Description,
        "`kind` is transfers (id: SePay's transaction id) or orders (id: the order id); `action` is apply or " +
          "refund. Each payment is decided once: a second decision answers 409. The decision is recorded in the " +
          "tenant's billing receipts and audit trail."
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "SePay money held for a person to review")
{}
