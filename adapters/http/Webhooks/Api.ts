import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { TenantId } from "../../../core/index.js"
import { PayloadTooLarge, ServiceUnavailable } from "../shared/Errors.js"

/** The signature did not verify (or the credential is missing): nothing was written. */
export class WebhookUnauthorized extends Schema.TaggedError<WebhookUnauthorized>()(
  "WebhookUnauthorized",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 401 })
) {}

/** The webhook is not in the provider's format (bad signature, stale timestamp, malformed body): nothing was written. */
export class WebhookMalformed extends Schema.TaggedError<WebhookMalformed>()(
  "WebhookMalformed",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 400 })
) {}

export const WebhookAccepted = Schema.Struct({
  received: Schema.Literal(true),
  /** The provider sent this event before; it was acknowledged again and changed nothing. */
  duplicate: Schema.Boolean
}).annotations({ identifier: "WebhookAccepted" })

/** SePay's expected reply. */
export const SepayAccepted = Schema.Struct({ success: Schema.Literal(true) }).annotations({
  identifier: "SepayAccepted"
})

const RawBody = Schema.Unknown.annotations({
  description: "The provider's webhook body, verified against its exact bytes"
})

const TenantPath = Schema.Struct({ tenantId: TenantId })

/**
 * Payment providers call these. No API key: each request is authenticated by
 * the provider's signature over the raw body. A 2xx is sent only after the
 * event, the subscription's new state and its jobs are committed together.
 */
export class WebhooksApi extends HttpApiGroup.make("webhooks")
  .add(
    HttpApiEndpoint.post("stripe", "/webhooks/stripe")
      .setPayload(RawBody)
      .addSuccess(WebhookAccepted)
      .addError(WebhookUnauthorized)
      .addError(WebhookMalformed)
      .addError(PayloadTooLarge)
      .addError(ServiceUnavailable)
      .annotate(OpenApi.Summary, "Stripe events (the operator's account)")
      .annotate(
        OpenApi.Description,
        "Verified with `Stripe-Signature` (needs only STRIPE_WEBHOOK_SECRET). Subscription, invoice, refund and " +
          "dispute events re-fetch the current subscription before it is applied, which needs STRIPE_SECRET: " +
          "without it they answer 503 and Stripe delivers them again. Unknown types answer 200 and are recorded " +
          "as ignored."
      )
  )
  .add(
    HttpApiEndpoint.post("polar", "/webhooks/polar/:tenantId")
      .setPath(TenantPath)
      .setPayload(RawBody)
      .addSuccess(WebhookAccepted)
      .addError(WebhookUnauthorized)
      .addError(WebhookMalformed)
      .addError(PayloadTooLarge)
      .addError(ServiceUnavailable)
      .annotate(OpenApi.Summary, "Polar events for one tenant's paid roles")
      .annotate(
        OpenApi.Description,
        "Standard Webhooks signature (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the tenant's " +
          "Polar webhook secret. Unknown types answer 200 and are recorded as ignored."
      )
  )
  .add(
    HttpApiEndpoint.post("sepay", "/webhooks/sepay/:tenantId")
      .setPath(TenantPath)
      .setPayload(RawBody)
      .addSuccess(SepayAccepted)
      .addError(WebhookUnauthorized)
      .addError(WebhookMalformed)
      .addError(PayloadTooLarge)
      .addError(ServiceUnavailable)
      .annotate(OpenApi.Summary, "SePay bank-transfer notifications for one tenant")
      .annotate(
        OpenApi.Description,
        "`Authorization: Apikey <key>`, or `X-SePay-Signature` + `X-SePay-Timestamp` (HMAC-SHA256, ±5 minutes). " +
          "A transfer is matched to its order by payment code, receiving account and amount; an underpayment is " +
          "held for review."
      )
  )
  .annotate(OpenApi.Description, "Payment provider webhooks (signed by the provider, no API key)")
{}
