import { webhooks } from "@polar-sh/sdk/2026-10"
import { Clock, Context, DateTime, Effect, Layer, Redacted } from "effect"
import {
  formatIssues,
  type TenantId,
  type VerifiedWebhook,
  webhookHeader,
  type WebhookReceipt,
  type WebhookRejected
} from "../../core/index.js"
import { metadataOf, normalizePolarEvent, subjectOf } from "./normalizePolarEvent.js"
import { decodeEvent, handledTypes, rejected } from "./polarEvents.js"

/**
 * Polar's webhooks for paid roles, one endpoint per tenant
 * (`POST /webhooks/polar/:tenantId`, the tenant's own secret). The signature is
 * checked by Polar's SDK on the raw bytes; the event is then normalized into a
 * BillingEvent for the member role named in the metadata our checkout set
 * (normalizePolarEvent.ts).
 */

export interface PolarWebhookInput {
  /** The tenant of the URL: the event must be this tenant's. */
  readonly tenantId: TenantId
  /** The body exactly as received (the signature covers these bytes). */
  readonly rawBody: Uint8Array
  /** Request headers (any letter case). */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The Standard Webhooks secret Polar shows for the tenant's endpoint, as shown. */
  readonly secret: Redacted.Redacted<string>
}

export interface PolarWebhookService {
  readonly verify: (input: PolarWebhookInput) => Effect.Effect<VerifiedWebhook, WebhookRejected>
}

export class PolarWebhook extends Context.Tag("adapters/polar/PolarWebhook")<PolarWebhook, PolarWebhookService>() {}

type Verification =
  | { readonly _tag: "Known"; readonly payload: unknown }
  | { readonly _tag: "Unknown"; readonly type: string }

/**
 * `validateEvent` checks the Standard Webhooks signature first (headers, ±5
 * minutes against the wall clock, HMAC), and only then parses the JSON and
 * checks the type: an unknown-type error therefore means the signature was valid.
 */
const validate = (input: PolarWebhookInput): Effect.Effect<Verification, WebhookRejected> => {
  const headers: Record<string, string> = {}
  for (const [key, value] of Object.entries(input.headers)) if (value !== undefined) headers[key.toLowerCase()] = value
  return Effect.tryPromise({
    try: () => webhooks.validateEvent(input.rawBody, headers, Redacted.value(input.secret)),
    catch: (error) => error
  }).pipe(
    Effect.map((payload): Verification => ({ _tag: "Known", payload })),
    Effect.catchAll((error) => {
      if (error instanceof webhooks.PolarWebhookUnknownTypeError) {
        return error.eventType === null
          ? Effect.fail(rejected("malformed", "The event has no type"))
          : Effect.succeed<Verification>({ _tag: "Unknown", type: error.eventType })
      }
      if (error instanceof webhooks.PolarWebhookVerificationError) {
        // A missing header or secret is a missing credential; the rest (stale
        // timestamp, no matching signature) is a signature that does not hold.
        const missing = /missing|empty/i.test(error.message)
        return Effect.fail(rejected(missing ? "unauthenticated" : "malformed", `Polar signature: ${error.message}`))
      }
      const message = error instanceof Error ? error.message : String(error)
      return Effect.fail(rejected("malformed", `Not a Polar webhook: ${message}`))
    })
  )
}

export const makePolarWebhook: PolarWebhookService = {
  verify: (input) =>
    Effect.gen(function*() {
      const verification = yield* validate(input)
      const webhookId = webhookHeader(input.headers, "webhook-id")
      const body = new TextDecoder().decode(input.rawBody)
      const receivedAt = DateTime.unsafeMake(yield* Clock.currentTimeMillis)
      const receipt = (type: string): WebhookReceipt => ({
        provider: "polar",
        // validateEvent succeeded, so the header is present.
        providerEventId: webhookId ?? "",
        type,
        tenantId: input.tenantId,
        payload: body,
        receivedAt
      })

      if (verification._tag === "Unknown") {
        return {
          _tag: "Ignored",
          receipt: receipt(verification.type),
          reason: `unknown Polar event type ${verification.type}`
        } satisfies VerifiedWebhook
      }
      const type = String((verification.payload as { type?: unknown }).type)
      if (!handledTypes.has(type)) {
        return {
          _tag: "Ignored",
          receipt: receipt(type),
          reason: `${type} does not change a paid role`
        } satisfies VerifiedWebhook
      }
      const event = yield* decodeEvent(verification.payload).pipe(
        Effect.mapError((error) => rejected("malformed", `Not a Polar ${type} event: ${formatIssues(error)}`))
      )
      const subject = yield* subjectOf(metadataOf(event), input.tenantId)
      if (subject._tag === "NotOurs") {
        return {
          _tag: "Ignored",
          receipt: receipt(type),
          reason: "not a Guildhall checkout (no tenant_id in the metadata)"
        } satisfies VerifiedWebhook
      }
      const normalized = normalizePolarEvent(event)
      if (normalized._tag === "Ignored") {
        return { _tag: "Ignored", receipt: receipt(type), reason: normalized.reason } satisfies VerifiedWebhook
      }
      return {
        _tag: "Event",
        receipt: receipt(type),
        event: normalized.build({ provider: "polar", providerEventId: webhookId ?? "", subject: subject.subject })
      } satisfies VerifiedWebhook
    })
}

export const PolarWebhookLive = Layer.succeed(PolarWebhook, makePolarWebhook)
