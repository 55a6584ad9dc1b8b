export { type NormalizedStripeEvent, normalizeStripeEvent, stripeStatus } from "./normalizeStripeEvent.js"
export {
  makeStripeGateway,
  notConfiguredMessage,
  notConfiguredStripeGateway,
  StripeGatewayLive,
  StripeGatewayOf,
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
  StripeWebhookLive,
  StripeWebhookOf,
  type StripeWebhookService
} from "./StripeWebhook.js"
