import { Layer } from "effect"
import { PolarGatewayLive, PolarWebhookLive } from "../adapters/polar/index.js"
import { SepayWebhookLive } from "../adapters/sepay/index.js"
import { StripeGatewayLive, StripeWebhookLive } from "../adapters/stripe/index.js"

/**
 * The payment providers' APIs, configured from the environment
 * (STRIPE_SECRET, STRIPE_API_BASE, POLAR_API_BASE). An unconfigured provider
 * answers every call with a "not configured" error naming what to set.
 */
export const PaymentGatewaysLive = Layer.mergeAll(StripeGatewayLive, PolarGatewayLive)

/** The webhook verifiers (STRIPE_WEBHOOK_SECRET; Polar and SePay secrets are per tenant). Needs StripeGateway and PlanCatalog. */
export const WebhookVerifiersLive = Layer.mergeAll(StripeWebhookLive, PolarWebhookLive, SepayWebhookLive)
