import { type ConfigError, DateTime, Effect, Layer, Option } from "effect"
import Stripe from "stripe"
import {
  PaymentProviderError,
  StripeGateway,
  type StripeGatewayService,
  type StripeSubscriptionSnapshot
} from "../../core/index.js"
import { makeStripeClient, type StripeSettings, stripeSettingsConfig } from "./StripeSettings.js"

export const notConfiguredMessage =
  "Stripe is not configured: set STRIPE_SECRET (and STRIPE_WEBHOOK_SECRET for webhooks)"

/** What every call that needs STRIPE_SECRET fails with while it is unset. */
export const stripeNotConfigured = new PaymentProviderError({
  provider: "stripe",
  reason: "not_configured",
  message: notConfiguredMessage
})

/** What every method answers while STRIPE_SECRET is unset. */
export const notConfiguredStripeGateway: StripeGatewayService = {
  planCheckout: () => Effect.fail(stripeNotConfigured),
  roleCheckout: () => Effect.fail(stripeNotConfigured),
  portal: () => Effect.fail(stripeNotConfigured),
  changePlan: () => Effect.fail(stripeNotConfigured),
  retrieveSubscription: () => Effect.fail(stripeNotConfigured),
  reportUsage: () => Effect.fail(stripeNotConfigured)
}

/**
 * A 4xx is Stripe refusing the request (its message says why: unknown id,
 * bad parameter, bad key); anything else (connection, 5xx, 429) is Stripe
 * being unavailable, worth retrying later.
 */
export const toPaymentProviderError = (action: string) => (error: unknown): PaymentProviderError => {
  if (error instanceof Stripe.errors.StripeError) {
    const status = error.statusCode
    const rejected = status !== undefined && status >= 400 && status < 500 && status !== 429
    return new PaymentProviderError({
      provider: "stripe",
      reason: rejected ? "rejected" : "unavailable",
      message: `Stripe ${action}: ${error.message}`
    })
  }
  return new PaymentProviderError({
    provider: "stripe",
    reason: "unavailable",
    message: `Stripe ${action}: ${error instanceof Error ? error.message : String(error)}`
  })
}

const call = <A>(action: string, request: () => Promise<A>): Effect.Effect<A, PaymentProviderError> =>
  Effect.tryPromise({ try: request, catch: toPaymentProviderError(action) })

/**
 * Stripe answers a meter event whose identifier it already holds with a 400
 * ("An event already exists with identifier ..."): the usage is recorded, so
 * for us it is a success.
 */
const isDuplicateMeterEvent = (error: unknown): boolean =>
  error instanceof Stripe.errors.StripeError && error.statusCode === 400 &&
  (error.code === "duplicate_meter_event" || /already exists with identifier/i.test(error.message))

const idOf = (value: string | { readonly id: string } | null): string | null =>
  value === null ? null : typeof value === "string" ? value : value.id

const checkoutLink = (session: Stripe.Checkout.Session) =>
  session.url === null
    ? Effect.fail(
      new PaymentProviderError({
        provider: "stripe",
        reason: "unavailable",
        message: `Stripe created checkout session ${session.id} without a URL`
      })
    )
    : Effect.succeed({ url: session.url, checkoutId: session.id })

/** The fields the billing state machine needs, from a subscription Stripe just returned. */
export const subscriptionSnapshot = (subscription: Stripe.Subscription): StripeSubscriptionSnapshot => {
  const first = subscription.items.data[0]
  // Since the basil API versions the billing period lives on the items; a
  // subscription's access lasts as long as its longest item.
  const periodEnds = subscription.items.data.map((item) => item.current_period_end)
  return {
    id: subscription.id,
    customerId: idOf(subscription.customer) ?? "",
    status: subscription.status,
    currentPeriodEnd: periodEnds.length === 0 ? null : DateTime.unsafeMake(Math.max(...periodEnds) * 1000),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    metadata: { ...subscription.metadata },
    priceId: first?.price.id ?? null
  }
}

/** The gateway over a configured SDK client. */
export const makeStripeGateway = (stripe: Stripe): StripeGatewayService => ({
  planCheckout: (request) => {
    const metadata = { tenant_id: request.tenantId, plan_key: request.planKey }
    return call("checkout for a plan", () =>
      stripe.checkout.sessions.create({
        mode: "subscription",
        line_items: [{ price: request.priceId, quantity: 1 }],
        client_reference_id: request.tenantId,
        metadata,
        subscription_data: {
          metadata,
          ...(request.trialDays > 0
            ? {
              trial_period_days: request.trialDays,
              // No card during the trial: without one by its end, the subscription is canceled, not left unpaid.
              trial_settings: { end_behavior: { missing_payment_method: "cancel" } }
            }
            : {})
        },
        payment_method_collection: "if_required",
        ...(request.customerId === null ? {} : { customer: request.customerId }),
        success_url: request.successUrl,
        cancel_url: request.cancelUrl
      })).pipe(Effect.flatMap(checkoutLink))
  },

  roleCheckout: (request) =>
    call("checkout for a role", () =>
      stripe.checkout.sessions.create({
        mode: "subscription",
        line_items: [{ price: request.priceId, quantity: 1 }],
        metadata: { ...request.metadata },
        subscription_data: { metadata: { ...request.metadata } },
        ...(request.metadata["tenant_id"] === undefined ? {} : { client_reference_id: request.metadata["tenant_id"] }),
        success_url: request.successUrl,
        cancel_url: request.cancelUrl
      })).pipe(Effect.flatMap(checkoutLink)),

  portal: (request) =>
    call(
      "customer portal",
      () => stripe.billingPortal.sessions.create({ customer: request.customerId, return_url: request.returnUrl })
    ).pipe(
      Effect.map((session) => ({ url: session.url }))
    ),

  changePlan: (request) =>
    Effect.gen(function*() {
      const subscription = yield* call(
        `retrieve subscription ${request.subscriptionId}`,
        () => stripe.subscriptions.retrieve(request.subscriptionId)
      )
      const item = subscription.items.data[0]
      if (item === undefined) {
        return yield* new PaymentProviderError({
          provider: "stripe",
          reason: "rejected",
          message: `Stripe subscription ${request.subscriptionId} has no item to move to price ${request.priceId}`
        })
      }
      yield* call(`change plan of subscription ${request.subscriptionId}`, () =>
        stripe.subscriptions.update(request.subscriptionId, {
          items: [{ id: item.id, price: request.priceId }],
          proration_behavior: "create_prorations"
        }))
    }),

  retrieveSubscription: (id) =>
    call(`retrieve subscription ${id}`, () => stripe.subscriptions.retrieve(id)).pipe(Effect.map(subscriptionSnapshot)),

  reportUsage: (request) =>
    Effect.tryPromise({
      try: () =>
        stripe.billing.meterEvents.create({
          event_name: request.eventName,
          payload: { stripe_customer_id: request.customerId, value: String(request.value) },
          identifier: request.identifier,
          timestamp: Math.floor(DateTime.toEpochMillis(request.timestamp) / 1000)
        }),
      catch: (error) => error
    }).pipe(
      Effect.asVoid,
      Effect.catchIf(isDuplicateMeterEvent, () => Effect.void),
      Effect.mapError(toPaymentProviderError(`meter event ${request.identifier}`))
    )
})

/**
 * The subscription a payment intent paid an invoice of, through Stripe's
 * invoice payments (a charge no longer names its invoice); null when it paid
 * none. Used to find whom a refund or dispute concerns.
 */
export const makeSubscriptionOfPayment = (stripe: Stripe) => (paymentIntentId: string) =>
  call(`find the invoice paid by ${paymentIntentId}`, () =>
    stripe.invoicePayments.list({
      payment: { type: "payment_intent", payment_intent: paymentIntentId },
      expand: ["data.invoice"],
      limit: 1
    })).pipe(
      Effect.map((payments) => {
        const invoice = payments.data[0]?.invoice
        if (invoice === undefined || typeof invoice === "string" || invoice.deleted === true) return null
        return idOf(invoice.parent?.subscription_details?.subscription ?? null)
      })
    )

/** The gateway for these settings: the SDK client when a key is set, `not_configured` failures otherwise. */
export const StripeGatewayOf = (settings: StripeSettings): Layer.Layer<StripeGateway> =>
  Layer.effect(
    StripeGateway,
    Option.match(settings.secretKey, {
      onNone: () => Effect.as(Effect.logWarning(notConfiguredMessage), notConfiguredStripeGateway),
      onSome: (key) => Effect.succeed(makeStripeGateway(makeStripeClient(key, settings.apiBase)))
    })
  )

/** StripeGateway from STRIPE_SECRET and STRIPE_API_BASE. */
export const StripeGatewayLive: Layer.Layer<StripeGateway, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(stripeSettingsConfig, StripeGatewayOf)
)
