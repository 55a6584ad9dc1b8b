import { HttpApiBuilder, type HttpServerRequest } from "@effect/platform"
import { Cause, Clock, DateTime, Duration, Effect, Option } from "effect"
import {
  Billing,
  PaidRoles,
  type PaymentProviderError,
  PaymentSettingsRepo,
  type TenantId,
  type TenantPaymentSettings,
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

/**
 * How long a tenant's provider settings are reused between its webhooks, so a
 * burst does not read them once per request (ADR 054). Settings that do not
 * serve a request (not configured, or the signature fails with them) are read
 * again at once, so a secret just configured or rotated works from its first
 * webhook; a replaced secret may still be accepted for this long.
 */
const settingsReuse = Duration.seconds(5)
/** Tenants whose settings are kept at most; past it they are all dropped (and read again as needed). */
const settingsReusedTenants = 10_000

const headersOf = (request: HttpServerRequest.HttpServerRequest): Record<string, string | undefined> => request.headers

export const HttpWebhooksLive = HttpApiBuilder.group(Api, "webhooks", (handlers) =>
  Effect.gen(function*() {
    const billing = yield* Billing
    const paidRoles = yield* PaidRoles
    const settings = yield* PaymentSettingsRepo
    const stripe = yield* StripeWebhook
    const polar = yield* PolarWebhook
    const sepay = yield* SepayWebhook

    // Only found settings are kept: a tenant without them, or a read that failed, is asked again next time.
    const reused = new Map<TenantId, { readonly settings: TenantPaymentSettings; readonly until: number }>()
    const read = (tenantId: TenantId) =>
      Effect.tap(settings.get(tenantId), (found) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          if (Option.isNone(found)) return void reused.delete(tenantId)
          if (reused.size >= settingsReusedTenants) reused.clear()
          reused.set(tenantId, { settings: found.value, until: now + Duration.toMillis(settingsReuse) })
        }))
    /** `use` with the tenant's settings; when reused ones fail it, once more with fresh ones. */
    const withSettings = <A, E>(
      tenantId: TenantId,
      use: (settings: TenantPaymentSettings | null) => Effect.Effect<A, E>
    ): Effect.Effect<A, E> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const fresh = Effect.flatMap(read(tenantId), (found) => use(Option.getOrNull(found)))
        const hit = reused.get(tenantId)
        return hit === undefined || hit.until <= now ? fresh : Effect.catchAll(use(hit.settings), () => fresh)
      })

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
          const verified = yield* withSettings(path.tenantId, (settings) =>
            settings?.polar == null ? Effect.fail(notConfigured("Polar")) : Effect.mapError(
              polar.verify({
                tenantId: path.tenantId,
                rawBody: body.bytes,
                headers: headersOf(request),
                secret: settings.polar.webhookSecret
              }),
              rejected
            ))
          const outcome = yield* billing.ingest(verified)
          return { received: true, duplicate: outcome === "duplicate" } as const
        }).pipe(unavailableOnDefect))
      .handleRaw("sepay", ({ path, request }) =>
        Effect.gen(function*() {
          const body = yield* rawBodyOf(request)
          const transfer = yield* withSettings(path.tenantId, (settings) =>
            settings?.sepay == null ? Effect.fail(notConfigured("SePay")) : Effect.mapError(
              sepay.verify({
                rawBody: body.bytes,
                headers: headersOf(request),
                auth: { apiKeyHash: settings.sepay.apiKeyHash, hmacSecret: settings.sepay.hmacSecret }
              }),
              rejected
            ))
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
