import { HttpApiBuilder, type HttpServerRequest } from "@effect/platform"
import { Cause, DateTime, Effect, Option } from "effect"
import {
  Billing,
  PaidRoles,
  type PaymentProviderError,
  PaymentSettingsRepo,
  type TenantId,
  type WebhookRejected
} from "../../../core/index.js"
import { PolarWebhook } from "../../polar/index.js"
import { SepayWebhook } from "../../sepay/index.js"
import { StripeWebhook } from "../../stripe/index.js"
import { Api } from "../Api.js"
import { ServiceUnavailable } from "../ServiceUnavailable.js"
import { WebhookMalformed, WebhookUnauthorized } from "./Api.js"

/**
 * The body exactly as sent. It is read once, as the platform's cached text
 * (the body limit reads the same cache), and verified as its UTF-8 bytes:
 * a provider's JSON body is UTF-8, so these are the bytes it signed.
 */
const rawBodyOf = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.map(
    Effect.mapError(request.text, () => new WebhookMalformed({ message: "The request body could not be read" })),
    (text) => ({ text, bytes: new TextEncoder().encode(text) })
  )

const rejected = (error: WebhookRejected | PaymentProviderError) =>
  error._tag === "PaymentProviderError"
    // Verified, but the provider could not be asked for the current object: let it retry.
    ? new ServiceUnavailable({ message: `${error.message}; nothing was acknowledged, retry later` })
    : error.reason === "unauthenticated"
    ? new WebhookUnauthorized({ message: error.message })
    : new WebhookMalformed({ message: error.message })

/** Anything unexpected (the database is down, a provider re-fetch failed): 503, so the provider retries. */
const unavailableOnDefect = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.catchAllDefect(effect, (defect) =>
    Effect.zipRight(
      Effect.logError("webhook: not recorded, answered 503 for the provider to retry", Cause.die(defect)),
      Effect.fail(ServiceUnavailable.retryLater)
    ))

/** A tenant without the provider configured answers like a wrong secret, so ids cannot be probed. */
const notConfigured = (provider: string) =>
  new WebhookUnauthorized({ message: `${provider} webhooks are not configured for this tenant` })

const headersOf = (request: HttpServerRequest.HttpServerRequest): Record<string, string | undefined> => request.headers

export const WebhooksLive = HttpApiBuilder.group(Api, "webhooks", (handlers) =>
  Effect.gen(function*() {
    const billing = yield* Billing
    const paidRoles = yield* PaidRoles
    const settings = yield* PaymentSettingsRepo
    const stripe = yield* StripeWebhook
    const polar = yield* PolarWebhook
    const sepay = yield* SepayWebhook

    const settingsOf = (tenantId: TenantId) => Effect.map(settings.get(tenantId), Option.getOrNull)

    return handlers
      .handleRaw("stripe", ({ request }) =>
        Effect.gen(function*() {
          const body = yield* rawBodyOf(request)
          const verified = yield* Effect.mapError(
            stripe.verify(body.bytes, request.headers["stripe-signature"]),
            rejected
          )
          const outcome = yield* billing.ingest(verified)
          return { received: true, duplicate: outcome === "duplicate" } as const
        }).pipe(unavailableOnDefect))
      .handleRaw("polar", ({ path, request }) =>
        Effect.gen(function*() {
          const body = yield* rawBodyOf(request)
          const configured = (yield* settingsOf(path.tenantId))?.polar
          if (configured == null) return yield* notConfigured("Polar")
          const verified = yield* Effect.mapError(
            polar.verify({
              tenantId: path.tenantId,
              rawBody: body.bytes,
              headers: headersOf(request),
              secret: configured.webhookSecret
            }),
            rejected
          )
          const outcome = yield* billing.ingest(verified)
          return { received: true, duplicate: outcome === "duplicate" } as const
        }).pipe(unavailableOnDefect))
      .handleRaw("sepay", ({ path, request }) =>
        Effect.gen(function*() {
          const body = yield* rawBodyOf(request)
          const configured = (yield* settingsOf(path.tenantId))?.sepay
          if (configured == null) return yield* notConfigured("SePay")
          const transfer = yield* Effect.mapError(
            sepay.verify({
              rawBody: body.bytes,
              headers: headersOf(request),
              auth: { apiKeyHash: configured.apiKeyHash, hmacSecret: configured.hmacSecret }
            }),
            rejected
          )
          yield* paidRoles.ingestBankTransfer(path.tenantId, {
            provider: "sepay",
            providerEventId: transfer.id,
            type: `transfer.${transfer.direction}`,
            tenantId: path.tenantId,
            payload: body.text,
            receivedAt: yield* DateTime.now
          }, transfer)
          return { success: true } as const
        }).pipe(unavailableOnDefect))
  }))
