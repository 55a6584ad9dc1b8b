import { Clock, type ConfigError, Context, DateTime, Effect, Layer, Option, Redacted } from "effect"
import Stripe from "stripe"
import {
  type PaymentProviderError,
  PlanCatalog,
  StripeGateway,
  type VerifiedWebhook,
  type WebhookReceipt,
  WebhookRejected
} from "../../core/index.js"
import { normalizeStripeEvent } from "./normalizeStripeEvent.js"
import { makeSubscriptionOfPayment, stripeNotConfigured } from "./StripeGatewayLive.js"
import { keyMode, makeStripeClient, type StripeSettings, stripeSettingsConfig } from "./StripeSettings.js"

export interface StripeWebhookService {
  /**
   * Verifies `Stripe-Signature` over the raw bytes, then normalizes the event.
   * WebhookRejected: `unauthenticated` (401) when the header is missing or
   * STRIPE_WEBHOOK_SECRET is not set, `malformed` (400) when the
   * signature does not match, is older than 300 s, or the body is not an
   * event. PaymentProviderError: re-fetching the subscription failed (or
   * STRIPE_SECRET is not set, so it cannot be asked); answer 5xx so Stripe
   * delivers the event again.
   */
  readonly verify: (
    rawBody: Uint8Array,
    signatureHeader: string | undefined
  ) => Effect.Effect<VerifiedWebhook, WebhookRejected | PaymentProviderError>
}

export class StripeWebhook
  extends Context.Tag("adapters/stripe/StripeWebhook")<StripeWebhook, StripeWebhookService>()
{}

/** Stripe's own default; never 0, which since v23 switches the timestamp check off. */
const toleranceSeconds = 300

const rejected = (reason: WebhookRejected["reason"], message: string) =>
  new WebhookRejected({ provider: "stripe", reason, message })

const signatureRejection = (error: unknown): WebhookRejected => {
  const message = error instanceof Error ? error.message : String(error)
  if (/tolerance zone/.test(message)) {
    return rejected(
      "malformed",
      `Stripe-Signature timestamp is more than ${toleranceSeconds} s old: a delayed or replayed delivery`
    )
  }
  if (/No signatures found matching/.test(message)) {
    return rejected(
      "malformed",
      "Stripe-Signature does not match the body: a different endpoint secret (STRIPE_WEBHOOK_SECRET), or the body was altered"
    )
  }
  if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
    return rejected("malformed", `Stripe-Signature rejected: ${message.split("\n")[0]}`)
  }
  return rejected("malformed", `The body is not a Stripe event: ${message.split("\n")[0]}`)
}

const isEvent = (value: unknown): value is Stripe.Event => {
  if (typeof value !== "object" || value === null) return false
  const event = value as Record<string, unknown>
  const data = event["data"] as Record<string, unknown> | undefined
  return typeof event["id"] === "string" && event["id"] !== "" && typeof event["type"] === "string" &&
    typeof event["created"] === "number" && typeof event["livemode"] === "boolean" &&
    typeof data === "object" && data !== null && typeof data["object"] === "object" && data["object"] !== null
}

const notConfigured = rejected(
  "unauthenticated",
  "Stripe webhooks are not configured: set STRIPE_WEBHOOK_SECRET (the endpoint's signing secret, whsec_…)"
)

/** The webhook for these settings; needs the gateway (re-fetches) and the plan catalog (price to plan). */
export const makeStripeWebhook = (settings: StripeSettings) =>
  Effect.gen(function*() {
    const gateway = yield* StripeGateway
    const plans = yield* PlanCatalog
    const decoder = new TextDecoder("utf-8")
    // Refunds and disputes need one lookup the gateway port does not offer; like every
    // re-fetch it needs STRIPE_SECRET, and without it fails as the gateway's calls do (503, redelivered).
    const subscriptionOfPayment = Option.match(settings.secretKey, {
      onNone: () => () => Effect.fail(stripeNotConfigured),
      onSome: (key) => makeSubscriptionOfPayment(makeStripeClient(key, settings.apiBase))
    })

    const verify: StripeWebhookService["verify"] = (rawBody, signatureHeader) =>
      Effect.gen(function*() {
        // The signature needs only the endpoint's secret; STRIPE_SECRET is for re-fetching objects.
        if (Option.isNone(settings.webhookSecret)) return yield* notConfigured
        if (signatureHeader === undefined || signatureHeader.trim() === "") {
          return yield* rejected("unauthenticated", "Missing Stripe-Signature header")
        }
        const webhookSecret = Redacted.value(settings.webhookSecret.value)
        const now = yield* Clock.currentTimeMillis
        // The SDK verifies the exact bytes received (never a re-serialized
        // object); the age is measured against our Clock.
        const parsed = yield* Effect.try({
          try: () =>
            Stripe.webhooks.constructEvent(rawBody, signatureHeader, webhookSecret, toleranceSeconds, undefined, now),
          catch: signatureRejection
        })
        if (!isEvent(parsed)) {
          return yield* rejected(
            "malformed",
            "The body is not a Stripe event (id, type, created, livemode, data.object)"
          )
        }
        const event = parsed

        const receipt = (tenantId: WebhookReceipt["tenantId"]): WebhookReceipt => ({
          provider: "stripe",
          providerEventId: event.id,
          type: event.type,
          tenantId,
          payload: decoder.decode(rawBody),
          receivedAt: DateTime.unsafeMake(now)
        })

        // Without STRIPE_SECRET there is no key to compare with; the endpoint's secret is already of one mode.
        const mode = Option.map(settings.secretKey, keyMode)
        const eventMode = event.livemode ? "live" : "test"
        if (Option.isSome(mode) && eventMode !== mode.value) {
          const reason = `A ${eventMode}-mode event reached an endpoint whose STRIPE_SECRET is a ${mode.value} key`
          return { _tag: "Ignored", receipt: receipt(null), reason } as const
        }

        const normalized = yield* normalizeStripeEvent(event, {
          retrieveSubscription: gateway.retrieveSubscription,
          subscriptionOfPayment,
          plans
        })
        return normalized._tag === "Event"
          ? { _tag: "Event", receipt: receipt(normalized.event.subject.tenantId), event: normalized.event } as const
          : { _tag: "Ignored", receipt: receipt(normalized.tenantId), reason: normalized.reason } as const
      })

    if (Option.isNone(settings.webhookSecret)) {
      yield* Effect.logWarning("Stripe webhooks are not configured: set STRIPE_WEBHOOK_SECRET")
    } else if (Option.isNone(settings.secretKey)) {
      yield* Effect.logWarning(
        "STRIPE_WEBHOOK_SECRET is set without STRIPE_SECRET: webhooks are verified, but subscription, invoice, " +
          "refund and dispute events answer 503 until STRIPE_SECRET is set (Stripe delivers them again)"
      )
    }
    return StripeWebhook.of({ verify })
  })

export const StripeWebhookOf = (
  settings: StripeSettings
): Layer.Layer<StripeWebhook, never, StripeGateway | PlanCatalog> =>
  Layer.effect(StripeWebhook, makeStripeWebhook(settings))

/** StripeWebhook from STRIPE_WEBHOOK_SECRET (verifying) and STRIPE_SECRET (re-fetching). */
export const StripeWebhookLive: Layer.Layer<StripeWebhook, ConfigError.ConfigError, StripeGateway | PlanCatalog> = Layer
  .unwrapEffect(Effect.map(stripeSettingsConfig, StripeWebhookOf))
