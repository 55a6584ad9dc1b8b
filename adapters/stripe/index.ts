export { type NormalizedStripeEvent, normalizeStripeEvent, stripeStatus } from "./normalizeStripeEvent.js"
export {
  makeStripeGateway,
  notConfiguredMessage,
  notConfiguredStripeGateway,
  stripeGatewayLayer,
  StripeGatewayLive,
  subscriptionSnapshot,
  toPaymentProviderError
} from "./StripeGatewayLive.js"
export {
  keyMode,
  makeStripeClient,
  type StripeKeyMode,
  type StripeSettings,
  stripeSettingsConfig
} from "./StripeSettings.js"
export {
  makeStripeWebhook,
  StripeWebhook,
  stripeWebhookLayer,
  StripeWebhookLive,
  type StripeWebhookService
} from "./StripeWebhook.js"
