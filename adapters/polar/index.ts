export { polarMetadataKeys } from "./polarEvents.js"
export { makePolarGateway, PolarGatewayLive, PolarGatewayOf } from "./PolarGatewayLive.js"
export { type PolarSettings, PolarSettingsConfig } from "./PolarSettings.js"
export {
  makePolarWebhook,
  PolarWebhook,
  type PolarWebhookInput,
  PolarWebhookLive,
  type PolarWebhookService
} from "./PolarWebhook.js"
