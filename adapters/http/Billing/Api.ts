import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { BillingProvider, SepaySettings, TenantId } from "../../../core/index.js"
import { Access } from "../Access.js"
import { Authentication } from "../Auth.js"
import {
  InvalidInput,
  NoBillingAccount,
  OperatorOnly,
  PayloadTooLarge,
  PaymentProviderFailed,
  PaymentProviderNotConfigured,
  PlanNotForSale,
  SepaySellsVndOnly,
  TenantNotFound,
  UnknownPlan
} from "../shared/Errors.js"
import { SubscriptionView } from "../shared/Views.js"

export const ReceiptView = Schema.Struct({
  provider: Schema.String,
  providerEventId: Schema.String,
  type: Schema.String,
  outcome: Schema.Literal("applied", "ignored", "held_for_review"),
  note: Schema.NullOr(Schema.String),
  receivedAt: Schema.DateTimeUtc
}).annotations({ identifier: "WebhookReceipt" })

/** A receipt that names no tenant, with the body as received: the operator's to look into. */
export const TenantlessReceiptView = Schema.Struct({
  ...ReceiptView.fields,
  payload: Schema.String.annotations({ description: "The raw body exactly as the provider sent it" })
}).annotations({ identifier: "TenantlessWebhookReceipt" })

/** Where a page of receipts ends, as an opaque string (base64url JSON) a client passes back as `after`. */
export const ReceiptCursorParam = Schema.compose(
  Schema.StringFromBase64Url,
  Schema.parseJson(Schema.Struct({
    receivedAt: Schema.DateTimeUtc,
    provider: BillingProvider,
    providerEventId: Schema.String
  }))
).annotations({ description: "The `next` of the previous page" })

export const TenantlessReceiptPage = Schema.Struct({
  receipts: Schema.Array(TenantlessReceiptView),
  next: Schema.NullOr(Schema.String).annotations({
    description: "Pass as `after` for the next page; null when this page is the last"
  })
}).annotations({ identifier: "TenantlessWebhookReceiptPage" })

export const TenantBillingView = Schema.Struct({
  tenantId: TenantId,
  planKey: Schema.String,
  tenantStatus: Schema.String,
  subscription: Schema.NullOr(SubscriptionView),
  /** The latest webhooks received for the tenant, newest first. */
  receipts: Schema.Array(ReceiptView)
}).annotations({ identifier: "TenantBilling" })

const ReturnUrls = {
  successUrl: Schema.optional(Schema.String).annotations({
    description: "Where the provider sends the buyer after paying"
  }),
  cancelUrl: Schema.optional(Schema.String).annotations({
    description: "Where the provider sends a buyer who gives up"
  })
}

const TenantField = Schema.optional(TenantId).annotations({
  description: "The tenant to act for: operator keys only (a tenant key always acts for its own tenant)"
})

export const StartPlanCheckout = Schema.Struct({
  planKey: Schema.String,
  tenantId: TenantField,
  ...ReturnUrls
}).annotations({ identifier: "StartPlanCheckout" })

export const PlanCheckoutResult = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("checkout"), url: Schema.String, checkoutId: Schema.String }),
  Schema.Struct({ kind: Schema.Literal("plan_changed"), subscriptionId: Schema.String })
).annotations({ identifier: "PlanCheckoutResult" })

export const PaymentSetupView = Schema.Struct({
  polar: Schema.Struct({ configured: Schema.Boolean }),
  sepay: Schema.Struct({
    configured: Schema.Boolean,
    auth: Schema.NullOr(Schema.Literal("api_key", "hmac")),
    settings: Schema.NullOr(SepaySettings)
  })
}).annotations({ identifier: "PaymentSetup" })

export const ConfigurePolar = Schema.Struct({
  tenantId: TenantField,
  accessToken: Schema.Redacted(Schema.NonEmptyTrimmedString).annotations({
    description: "An organization access token of the tenant's Polar account (creates checkouts)"
  }),
  webhookSecret: Schema.Redacted(Schema.NonEmptyTrimmedString).annotations({
    description: "The secret Polar shows for the endpoint /webhooks/polar/{tenantId}"
  })
}).annotations({ identifier: "ConfigurePolar" })

export const ConfigureSepay = Schema.Struct({
  tenantId: TenantField,
  settings: SepaySettings,
  apiKey: Schema.optional(Schema.Redacted(Schema.NonEmptyTrimmedString)).annotations({
    description: "The API key SePay sends as `Authorization: Apikey <key>` (stored only as its SHA-256)"
  }),
  hmacSecret: Schema.optional(Schema.Redacted(Schema.NonEmptyTrimmedString)).annotations({
    description: "The secret SePay signs `X-SePay-Signature` with (give this or apiKey, not both)"
  })
}).annotations({ identifier: "ConfigureSepay" })

const TenantQuery = Schema.Struct({ tenantId: TenantField })

export class BillingApi extends HttpApiGroup.make("billing")
  .add(
    HttpApiEndpoint.get("tenantBilling", "/tenants/:id/billing")
      .setPath(Schema.Struct({ id: TenantId }))
      .addSuccess(TenantBillingView)
      .addError(TenantNotFound)
      .annotate(OpenApi.Summary, "A tenant's plan subscription and recent payment webhooks")
  )
  .add(
    HttpApiEndpoint.post("checkout", "/billing/checkout")
      .setPayload(StartPlanCheckout)
      .addSuccess(PlanCheckoutResult)
      .addError(InvalidInput)
      .addError(UnknownPlan)
      .addError(TenantNotFound)
      .addError(PlanNotForSale)
      .addError(PaymentProviderNotConfigured)
      .addError(PaymentProviderFailed)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Buy or change the tenant's plan")
      .annotate(
        OpenApi.Description,
        "Answers a Stripe Checkout link (with the plan's free trial, 30 days by default) or, when the tenant " +
          "already pays through Stripe, moves its subscription to the plan (prorated). The plan takes effect when " +
          "Stripe's webhook confirms it."
      )
  )
  .add(
    HttpApiEndpoint.get("portal", "/billing/portal")
      .annotate(Access, Access.write)
      .setUrlParams(Schema.Struct({ tenantId: TenantField, returnUrl: Schema.optional(Schema.String) }))
      .addSuccess(Schema.Struct({ url: Schema.String }))
      .addError(InvalidInput)
      .addError(TenantNotFound)
      .addError(NoBillingAccount)
      .addError(PaymentProviderNotConfigured)
      .addError(PaymentProviderFailed)
      .annotate(OpenApi.Summary, "A link to Stripe's customer portal (cards, invoices, cancellation)")
  )
  .add(
    HttpApiEndpoint.get("providers", "/billing/providers")
      .setUrlParams(TenantQuery)
      .addSuccess(PaymentSetupView)
      .addError(InvalidInput)
      .addError(TenantNotFound)
      .annotate(OpenApi.Summary, "The tenant's payment providers for paid roles (no secrets)")
  )
  .add(
    HttpApiEndpoint.put("configurePolar", "/billing/providers/polar")
      .setPayload(ConfigurePolar)
      .addSuccess(PaymentSetupView)
      .addError(InvalidInput)
      .addError(TenantNotFound)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Sell paid roles through the tenant's Polar organization")
  )
  .add(
    HttpApiEndpoint.put("configureSepay", "/billing/providers/sepay")
      .setPayload(ConfigureSepay)
      .addSuccess(PaymentSetupView)
      .addError(InvalidInput)
      .addError(SepaySellsVndOnly)
      .addError(TenantNotFound)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Sell paid roles as SePay bank-transfer passes")
      .annotate(
        OpenApi.Description,
        "Payment code format, receiving accounts and their rotation (round_robin, random, weighted, time_based), " +
          "and how /webhooks/sepay/{tenantId} is authenticated. SePay sells VND only: refused (400 " +
          "SepaySellsVndOnly) while one of the tenant's roles sold over SePay is priced in another currency."
      )
  )
  .add(
    HttpApiEndpoint.get("tenantlessReceipts", "/billing/receipts/tenantless")
      .annotate(Access, Access.operator)
      .setUrlParams(Schema.Struct({
        limit: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 500)), {
          default: () => 50
        }),
        after: Schema.optional(ReceiptCursorParam)
      }))
      .addSuccess(TenantlessReceiptPage)
      .addError(OperatorOnly)
      .annotate(OpenApi.Summary, "Webhooks that named no tenant (operator only), newest first")
      .annotate(
        OpenApi.Description,
        "Stripe events of types no tenant's state depends on, or of the wrong mode (a test-mode event on a live " +
          "key), are stored but belong to no tenant. This lists them with their raw bodies and why they were " +
          "ignored, a page at a time: pass `next` as `after`."
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Tenant plans (Stripe) and the payment providers of paid roles")
{}
