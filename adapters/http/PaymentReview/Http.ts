import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { PaymentReview } from "../../../core/index.js"
import { Api } from "../Api.js"
import { actingTenant, isOperator, listScope } from "../Policy.js"

export const HttpPaymentReviewLive = HttpApiBuilder.group(
  Api,
  "paymentReview",
  (handlers) =>
    Effect.map(PaymentReview, (review) =>
      handlers
        .handle("list", ({ urlParams }) =>
          Effect.gen(function*() {
            // A tenant key or staff member sees its tenant's; the operator a named tenant's, or every tenant's.
            return yield* review.list(yield* listScope(urlParams.tenantId))
          }))
        .handle("resolve", ({ path, urlParams }) =>
          Effect.gen(function*() {
            const { tenantId } = yield* actingTenant(urlParams.tenantId)
            const actor = (yield* isOperator) ? "operator" : "tenant"
            const payment = path.kind === "transfers"
              ? { kind: "transfer" as const, transactionId: path.id }
              : { kind: "order" as const, orderId: path.id }
            const status = yield* review.resolve(tenantId, payment, path.action, actor)
            return { kind: path.kind, id: path.id, status }
          })))
)
