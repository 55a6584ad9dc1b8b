import { HttpApi, OpenApi } from "@effect/platform"
import { ApiKeysApi } from "./ApiKeys/Api.js"
import { BillingApi } from "./Billing/Api.js"
import { DiscordApi, DiscordCallbackApi } from "./Discord/Api.js"
import { AssetsFeaturesApi, FeaturesApi, GuildFeaturesApi } from "./Features/Api.js"
import { AssetsGuardrailApi, GuardrailApi } from "./Guardrail/Api.js"
import { describeAssetsAliases } from "./GuildPaths.js"
import { AssetsApi, GuildsApi } from "./Guilds/Api.js"
import { HealthApi } from "./Health/Api.js"
import { ExportDownloadApi, HostingApi } from "./Hosting/Api.js"
import { JobsApi } from "./Jobs/Api.js"
import { LicensesApi, LicenseServerApi } from "./Licenses/Api.js"
import { OverridesApi } from "./Overrides/Api.js"
import { PagesApi } from "./Pages/Api.js"
import { AssetsPaidRolesApi, PaidRolesApi } from "./PaidRoles/Api.js"
import { PaymentReviewApi } from "./PaymentReview/Api.js"
import { describeAccess } from "./RouteAccess.js"
import { AssetsRulesApi, RulesApi } from "./Rules/Api.js"
import { readStrictly } from "./strictInput.js"
import { TenantsApi } from "./Tenants/Api.js"
import { UsageApi } from "./Usage/Api.js"
import { apiVersion } from "./version.js"
import { WebhooksApi } from "./Webhooks/Api.js"
import { WhiteLabelApi } from "./WhiteLabel/Api.js"

/** The Api below, for its own OpenAPI transform (a function, so the class does not name itself in its base). */
function theApi(): HttpApi.HttpApi.Any {
  return Api as never
}

/**
 * The Guildhall HTTP API: its contract, shared by the server, typed clients and the OpenAPI document.
 * Bodies and query strings are read strictly: an unknown field answers 400 (ADR 093). The /assets
 * groups are the deprecated aliases of the /guilds ones (ADR 100).
 */
export class Api extends readStrictly(
  HttpApi.make("guildhall")
    .add(HealthApi)
    .add(TenantsApi)
    .add(GuildsApi)
    .add(ApiKeysApi)
    .add(FeaturesApi)
    .add(GuildFeaturesApi)
    .add(RulesApi)
    .add(GuardrailApi)
    .add(UsageApi)
    .add(OverridesApi)
    .add(BillingApi)
    .add(PaidRolesApi)
    .add(PaymentReviewApi)
    .add(WebhooksApi)
    .add(JobsApi)
    .add(DiscordApi)
    .add(DiscordCallbackApi)
    .add(WhiteLabelApi)
    .add(LicenseServerApi)
    .add(LicensesApi)
    .add(HostingApi)
    .add(ExportDownloadApi)
    .add(PagesApi)
    .add(AssetsApi)
    .add(AssetsFeaturesApi)
    .add(AssetsRulesApi)
    .add(AssetsGuardrailApi)
    .add(AssetsPaidRolesApi)
    .annotateContext(OpenApi.annotations({
      title: "Guildhall",
      version: apiVersion,
      description: "Tenants, their Discord guilds and API keys; guild features, RBAC rules, the guardrail's " +
        "explanations, usage and plan overrides; billing, paid roles and the payment providers' webhooks. " +
        "Every endpoint but /health/*, /webhooks/* (signed by the provider), /discord/callback (a signed state), /licenses/* (the license key) and /exports/{id}/archive (a signed link) and /checkout/* and /billing/portal/closed (pages for browsers) needs " +
        "`Authorization: Bearer <API key>`. Errors are JSON with a `_tag`, a `message` and, when there is " +
        "something to do about them, a `remediation`. Bodies and query strings are read strictly: a field an " +
        "endpoint does not define answers 400 naming the fields it accepts. An unknown path answers 404 and a " +
        "method a path lacks 405 with `Allow`. Every /assets path is a deprecated alias of the same path with " +
        "/guilds in its place, answering the same, until the next major version.",
      transform: (spec) => describeAccess(theApi())(describeAssetsAliases(spec))
    }))
) {}
