import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import { Billing, BillingLedger, PaymentSetup } from "../../../core/index.js"
import { Api } from "../Api.js"
import { returnLinksOf } from "../Pages/returnLinks.js"
import { actingTenant, ensureOperator, forTenant } from "../Policy.js"
import { PublicUrl } from "../PublicUrl.js"
import { providerErrorToHttp } from "../shared/Errors.js"
import { ReceiptCursorParam } from "./Api.js"

const receiptsShown = 20

export const HttpBillingLive = HttpApiBuilder.group(Api, "billing", (handlers) =>
  Effect.gen(function*() {
    const billing = yield* Billing
    const ledger = yield* BillingLedger
    const setup = yield* PaymentSetup
    const links = returnLinksOf(yield* PublicUrl)

    return handlers
      .handle(
        "tenantBilling",
        forTenant(({ tenantId }) =>
          Effect.gen(function*() {
            const view = yield* billing.tenantBilling(tenantId)
            const receipts = yield* ledger.listReceipts(tenantId, { limit: receiptsShown })
            return { ...view, subscription: Option.getOrNull(view.subscription), receipts }
          })
        )
      )
      .handle("checkout", ({ payload }) =>
        Effect.gen(function*() {
          const { tenantId } = yield* actingTenant(payload.tenantId)
          const result = yield* billing.planCheckout(tenantId, payload.planKey, {
            successUrl: payload.successUrl ?? links.successUrl,
            cancelUrl: payload.cancelUrl ?? links.cancelUrl
          })
          return result._tag === "Checkout"
            ? { kind: "checkout" as const, url: result.link.url, checkoutId: result.link.checkoutId }
            : { kind: "plan_changed" as const, subscriptionId: result.subscriptionId }
        }).pipe(providerErrorToHttp))
      .handle("portal", ({ urlParams }) =>
        Effect.gen(function*() {
          const { tenantId } = yield* actingTenant(urlParams.tenantId)
          return yield* billing.portal(tenantId, urlParams.returnUrl ?? links.portalReturnUrl)
        }).pipe(providerErrorToHttp))
      .handle("tenantlessReceipts", ({ urlParams }) =>
        Effect.gen(function*() {
          yield* ensureOperator("list webhooks that named no tenant")
          // One more than the page, to know whether another follows.
          const found = yield* ledger.listTenantlessReceipts({
            limit: urlParams.limit + 1,
            after: Option.fromNullable(urlParams.after)
          })
          const receipts = found.slice(0, urlParams.limit)
          const last = receipts.at(-1)
          const next = found.length > urlParams.limit && last !== undefined
            ? Schema.encodeSync(ReceiptCursorParam)({
              receivedAt: last.receivedAt,
              provider: last.provider,
              providerEventId: last.providerEventId
            })
            : null
          return { receipts: receipts.map(({ tenantId: _, ...receipt }) => receipt), next }
        }))
      .handle("providers", ({ urlParams }) =>
        Effect.flatMap(actingTenant(urlParams.tenantId), ({ tenantId }) => setup.view(tenantId)))
      .handle("configurePolar", ({ payload }) =>
        Effect.flatMap(
          actingTenant(payload.tenantId),
          ({ tenantId }) =>
            setup.configurePolar(tenantId, { accessToken: payload.accessToken, webhookSecret: payload.webhookSecret })
        ))
      .handle("configureSepay", ({ payload }) =>
        Effect.flatMap(
          actingTenant(payload.tenantId),
          ({ tenantId }) =>
            setup.configureSepay(tenantId, {
              settings: payload.settings,
              apiKey: payload.apiKey,
              hmacSecret: payload.hmacSecret
            })
        ))
  }))
