export {
  makeSepayWebhook,
  SEPAY_TIMESTAMP_TOLERANCE_SECONDS,
  sepayApiKeyHash,
  SepayWebhook,
  type SepayWebhookAuth,
  type SepayWebhookInput,
  SepayWebhookLive,
  type SepayWebhookService,
  VietnamDateTime
} from "./SepayWebhook.js"
