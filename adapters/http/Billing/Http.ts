import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import { Billing, BillingLedger, PaymentProviderError, PaymentSetup } from "../../../core/index.js"
import { actingTenant, ensureCanActOn, ensureOperator } from "../Access.js"
import { Api } from "../Api.js"
import { returnLinksOf } from "../Pages/returnLinks.js"
import { PublicUrl } from "../PublicUrl.js"
import { PaymentProviderFailed, PaymentProviderNotConfigured, ReceiptCursorParam } from "./Api.js"

const receiptsShown = 20

/** A provider's refusal as the API reports it: 503 when it is not set up, 502 when it failed. */
export const providerErrorToHttp = <A, E, R>(effect: Effect.Effect<A, E | PaymentProviderError, R>) =>
  Effect.catchIf(
    effect,
    (error): error is PaymentProviderError => error instanceof PaymentProviderError,
    (error) =>
      Effect.fail(
        error.reason === "not_configured"
          ? new PaymentProviderNotConfigured({ provider: error.provider, message: error.message })
          : new PaymentProviderFailed({ provider: error.provider, message: error.message })
      )
  )

export const BillingLive = HttpApiBuilder.group(Api, "billing", (handlers) =>
  Effect.gen(function*() {
    const billing = yield* Billing
    const ledger = yield* BillingLedger
    const setup = yield* PaymentSetup
    const links = returnLinksOf(yield* PublicUrl)

    return handlers
      .handle("tenantBilling", ({ path }) =>
        Effect.gen(function*() {
          yield* ensureCanActOn(path.id)
          const view = yield* billing.tenantBilling(path.id)
          const receipts = yield* ledger.listReceipts(path.id, { limit: receiptsShown })
          return { ...view, subscription: Option.getOrNull(view.subscription), receipts }
        }))
      .handle("checkout", ({ payload }) =>
        Effect.gen(function*() {
          const tenantId = yield* actingTenant(payload.tenantId)
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
          const tenantId = yield* actingTenant(urlParams.tenantId)
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
      .handle("providers", ({ urlParams }) => Effect.flatMap(actingTenant(urlParams.tenantId), setup.view))
      .handle("configurePolar", ({ payload }) =>
        Effect.flatMap(
          actingTenant(payload.tenantId),
          (tenantId) =>
            setup.configurePolar(tenantId, { accessToken: payload.accessToken, webhookSecret: payload.webhookSecret })
        ))
      .handle("configureSepay", ({ payload }) =>
        Effect.flatMap(
          actingTenant(payload.tenantId),
          (tenantId) =>
            setup.configureSepay(tenantId, {
              settings: payload.settings,
              apiKey: payload.apiKey,
              hmacSecret: payload.hmacSecret
            })
        ))
  }))
