import { HttpApiBuilder } from "@effect/platform"
import { Layer } from "effect"
import { Api } from "./Api.js"
import { ApiKeysLive } from "./ApiKeys/Http.js"
import { AssetsLive } from "./Assets/Http.js"
import { AuthenticationLive } from "./Auth.js"
import { BillingLive } from "./Billing/Http.js"
import { DiscordCallbackLive, DiscordLive } from "./Discord/Http.js"
import { FeaturesLive } from "./Features/Http.js"
import { GuardrailLive } from "./Guardrail/Http.js"
import { HealthLive } from "./Health/Http.js"
import { ExportDownloadLive, HostingLive } from "./Hosting/Http.js"
import { JobsLive } from "./Jobs/Http.js"
import { LicenseServerLive, LicensesLive } from "./Licenses/Http.js"
import { OverridesLive } from "./Overrides/Http.js"
import { PagesLive } from "./Pages/Http.js"
import { PaidRolesLive } from "./PaidRoles/Http.js"
import { PaymentReviewLive } from "./PaymentReview/Http.js"
import { RulesLive } from "./Rules/Http.js"
import { TenantsLive } from "./Tenants/Http.js"
import { UsageLive } from "./Usage/Http.js"
import { WebhooksLive } from "./Webhooks/Http.js"
import { WhiteLabelLive } from "./WhiteLabel/Http.js"

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
    HealthLive,
    TenantsLive,
    AssetsLive,
    ApiKeysLive,
    FeaturesLive,
    RulesLive,
    GuardrailLive,
    UsageLive,
    OverridesLive,
    BillingLive,
    PaidRolesLive,
    PaymentReviewLive,
    WebhooksLive,
    JobsLive,
    DiscordLive,
    DiscordCallbackLive,
    WhiteLabelLive,
    LicenseServerLive,
    LicensesLive,
    HostingLive,
    ExportDownloadLive,
    PagesLive
  ]),
  Layer.provide(AuthenticationLive)
)
