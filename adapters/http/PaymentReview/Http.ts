import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option } from "effect"
import { PaymentReview } from "../../../core/index.js"
import { Api } from "../Api.js"
import { actingTenant, authorizeTenant, isOperator, tenantScope } from "../Policy.js"

export const HttpPaymentReviewLive = HttpApiBuilder.group(
  Api,
  "paymentReview",
  (handlers) =>
    Effect.map(PaymentReview, (review) =>
      handlers
        .handle("list", ({ urlParams }) =>
          Effect.gen(function*() {
            // A tenant key sees its own; the operator a named tenant's, or every tenant's.
            const scope = urlParams.tenantId !== undefined
              ? Option.some((yield* authorizeTenant(urlParams.tenantId)).tenantId)
              : yield* tenantScope
            return yield* review.list(scope)
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
