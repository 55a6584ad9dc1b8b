export { makePolarGateway, polarGatewayLayer, PolarGatewayLive } from "./PolarGatewayLive.js"
export { type PolarSettings, PolarSettingsConfig } from "./PolarSettings.js"
export {
  makePolarWebhook,
  polarMetadataKeys,
  PolarWebhook,
  type PolarWebhookInput,
  PolarWebhookLive,
  type PolarWebhookService
} from "./PolarWebhook.js"
