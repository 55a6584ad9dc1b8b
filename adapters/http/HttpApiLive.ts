import { HttpApiBuilder } from "@effect/platform"
import { Layer } from "effect"
import { Api } from "./Api.js"
import { HttpApiKeysLive } from "./ApiKeys/Http.js"
import { AuthenticationLive } from "./Auth.js"
import { HttpBillingLive } from "./Billing/Http.js"
import { HttpDiscordCallbackLive, HttpDiscordLive } from "./Discord/Http.js"
import { HttpFeaturesLive, HttpGuildFeaturesLive } from "./Features/Http.js"
import { HttpGuardrailLive } from "./Guardrail/Http.js"
import { HttpGuildsLive } from "./Guilds/Http.js"
import { HttpHealthLive } from "./Health/Http.js"
import { HttpExportDownloadLive, HttpHostingLive } from "./Hosting/Http.js"
import { HttpJobsLive } from "./Jobs/Http.js"
import { HttpLicenseServerLive, HttpLicensesLive } from "./Licenses/Http.js"
import { HttpOverridesLive } from "./Overrides/Http.js"
import { HttpPagesLive } from "./Pages/Http.js"
import { HttpPaidRolesLive } from "./PaidRoles/Http.js"
import { HttpPaymentReviewLive } from "./PaymentReview/Http.js"
import { HttpRulesLive } from "./Rules/Http.js"
import { HttpTenantsLive } from "./Tenants/Http.js"
import { HttpUsageLive } from "./Usage/Http.js"
import { HttpWebhooksLive } from "./Webhooks/Http.js"
import { HttpWhiteLabelLive } from "./WhiteLabel/Http.js"

/**
 * The Api with every handler and the authentication middleware. Requires
 * Tenancy, ApiKeys, Readiness, GuildFeatures, GuildRules, Overrides,
 * GuildEntitlements, Guardrail, Quotas, FeatureCatalogRepo; Billing, BillingLedger, PaidRoles,
 * PaymentSetup, PaymentSettingsRepo, Jobs; the providers' webhook verifiers (StripeWebhook,
 * PolarWebhook, SepayWebhook) and PublicUrl; GuildInstalls and DiscordApplicationId; WhiteLabel; Licenses, Exports, Offboarding, AuditLog and
 * (for anonymize) TenantData and PlatformSettingsRepo.
 */
export const HttpApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide([
    HttpHealthLive,
    HttpTenantsLive,
    HttpGuildsLive,
    HttpApiKeysLive,
    HttpFeaturesLive,
    HttpGuildFeaturesLive,
    HttpRulesLive,
    HttpGuardrailLive,
    HttpUsageLive,
    HttpOverridesLive,
    HttpBillingLive,
    HttpPaidRolesLive,
    HttpPaymentReviewLive,
    HttpWebhooksLive,
    HttpJobsLive,
    HttpDiscordLive,
    HttpDiscordCallbackLive,
    HttpWhiteLabelLive,
    HttpLicenseServerLive,
    HttpLicensesLive,
    HttpHostingLive,
    HttpExportDownloadLive,
    HttpPagesLive
  ]),
  Layer.provide(AuthenticationLive)
)
