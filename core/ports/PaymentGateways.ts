import { Context, type DateTime, type Effect, type Redacted, Schema } from "effect"
import type { TenantId } from "../ids.js"
import type { PlanKey } from "../plans/Plan.js"

/** A provider is not configured here, or refused/failed the call; the message says which and what to do. */
export class PaymentProviderError extends Schema.TaggedError<PaymentProviderError>()("PaymentProviderError", {
  provider: Schema.Literal("stripe", "polar", "sepay"),
  reason: Schema.Literal("not_configured", "rejected", "unavailable"),
  message: Schema.String
}) {}

export interface CheckoutLink {
  readonly url: string
  /** The provider's checkout (session) id. */
  readonly checkoutId: string
}

/** Subscription fields re-fetched from Stripe when an event arrives (the event is only a trigger). */
export interface StripeSubscriptionSnapshot {
  readonly id: string
  readonly customerId: string
  readonly status: string
  readonly currentPeriodEnd: DateTime.Utc | null
  readonly cancelAtPeriodEnd: boolean
  readonly metadata: Readonly<Record<string, string>>
  /** The price of the first item (what plan it is). */
  readonly priceId: string | null
}

/** The operator's Stripe account: tenants' plan subscriptions (and paid roles sold on Stripe). */
export interface StripeGatewayService {
  /** A Checkout session for `planKey` with a 30-day trial; client_reference_id is the tenant. */
  readonly planCheckout: (request: {
    readonly tenantId: TenantId
    readonly planKey: PlanKey
    readonly priceId: string
    readonly customerId: string | null
    readonly trialDays: number
    readonly successUrl: string
    readonly cancelUrl: string
  }) => Effect.Effect<CheckoutLink, PaymentProviderError>
  readonly roleCheckout: (request: {
    readonly priceId: string
    readonly metadata: Readonly<Record<string, string>>
    readonly successUrl: string
    readonly cancelUrl: string
  }) => Effect.Effect<CheckoutLink, PaymentProviderError>
  readonly portal: (request: {
    readonly customerId: string
    readonly returnUrl: string
  }) => Effect.Effect<{ readonly url: string }, PaymentProviderError>
  /** Moves a subscription to another price (plan change), prorated. */
  readonly changePlan: (request: {
    readonly subscriptionId: string
    readonly priceId: string
  }) => Effect.Effect<void, PaymentProviderError>
  readonly retrieveSubscription: (id: string) => Effect.Effect<StripeSubscriptionSnapshot, PaymentProviderError>
  /** One billing meter event; Stripe deduplicates `identifier` for at least 24 hours. */
  readonly reportUsage: (request: {
    readonly eventName: string
    readonly customerId: string
    readonly value: number
    readonly identifier: string
    readonly timestamp: DateTime.Utc
  }) => Effect.Effect<void, PaymentProviderError>
}

export class StripeGateway extends Context.Tag("core/StripeGateway")<StripeGateway, StripeGatewayService>() {}

/** Polar, called with the tenant's own organization token (members pay the guild, not the operator). */
export interface PolarGatewayService {
  readonly roleCheckout: (request: {
    readonly accessToken: Redacted.Redacted<string>
    readonly productId: string
    /** The member, so Polar links repeat purchases to one customer. */
    readonly externalCustomerId: string
    /** guild, role, member and tenant ids: what the webhook maps back to a subject (≤ 50 keys, ≤ 500 chars each). */
    readonly metadata: Readonly<Record<string, string>>
    readonly successUrl: string
  }) => Effect.Effect<CheckoutLink, PaymentProviderError>
}

export class PolarGateway extends Context.Tag("core/PolarGateway")<PolarGateway, PolarGatewayService>() {}
