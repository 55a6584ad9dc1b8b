/**
 * Every error the API answers, with its HTTP status, stated once. The core's
 * errors know nothing of HTTP, so they get their status here; endpoints and
 * groups add these schemas (`.addError(GuildNotFound)`), never a status of
 * their own. The adapter's own errors carry theirs where they are defined.
 */
import { HttpApiSchema } from "@effect/platform"
import { Effect, Schema } from "effect"
import * as Core from "../../../core/index.js"

const status = <A>(code: number) => HttpApiSchema.annotations<A>({ status: code })

// 400: the request cannot be done as asked.
export const InvalidInput = Core.InvalidInput.annotations(status(400))
export const InvalidFeatureConfig = Core.InvalidFeatureConfig.annotations(status(400))
export const InvalidInviteState = Core.InvalidInviteState.annotations(status(400))
export const KeyInvalid = Core.KeyInvalid.annotations(status(400))
export const ProviderNotOffered = Core.ProviderNotOffered.annotations(status(400))
export const SepaySellsVndOnly = Core.SepaySellsVndOnly.annotations(status(400))
export const UnknownPlan = Core.UnknownPlan.annotations(status(400))

// 401: the credential did not check out.
export const InvalidApiKey = Core.InvalidApiKey.annotations(status(401))
export const UsageReportBadSignature = Core.UsageReportBadSignature.annotations(status(401))

// 403: the plan, the tenant's state or the license does not allow it.
export const ExportLinkInvalid = Core.ExportLinkInvalid.annotations(status(403))
export const FeatureNotInPlan = Core.FeatureNotInPlan.annotations(status(403))
export const GuildLimitReached = Core.GuildLimitReached.annotations(status(403))
export const LicenseRefused = Core.LicenseRefused.annotations(status(403))
export const PaidRoleLimitReached = Core.PaidRoleLimitReached.annotations(status(403))
export const TenantNotWritable = Core.TenantNotWritable.annotations(status(403))
export const WhiteLabelNotInPlan = Core.WhiteLabelNotInPlan.annotations(status(403))

// 404: nothing of that name within the caller's reach (another tenant's answers the same).
export const ApiKeyNotFound = Core.ApiKeyNotFound.annotations(status(404))
export const ExportNotFound = Core.ExportNotFound.annotations(status(404))
export const FeatureNotFound = Core.FeatureNotFound.annotations(status(404))
export const FlowNotFound = Core.FlowNotFound.annotations(status(404))
export const GuildNotFound = Core.GuildNotFound.annotations(status(404))
export const HeldPaymentNotFound = Core.HeldPaymentNotFound.annotations(status(404))
export const LicenseNotFound = Core.LicenseNotFound.annotations(status(404))
export const OverrideNotFound = Core.OverrideNotFound.annotations(status(404))
export const PaidRoleNotFound = Core.PaidRoleNotFound.annotations(status(404))
export const RuleNotFound = Core.RuleNotFound.annotations(status(404))
export const TenantBotNotFound = Core.TenantBotNotFound.annotations(status(404))
export const TenantNotFound = Core.TenantNotFound.annotations(status(404))
export const UnclaimedGuildNotFound = Core.UnclaimedGuildNotFound.annotations(status(404))
export const UsageReportNotActivated = Core.UsageReportNotActivated.annotations(status(404))

// 409: the current state conflicts with the request.
export const BotInUseByAnotherTenant = Core.BotInUseByAnotherTenant.annotations(status(409))
export const FeatureAlwaysOn = Core.FeatureAlwaysOn.annotations(status(409))
export const FlowAlreadyRunning = Core.FlowAlreadyRunning.annotations(status(409))
export const FlowNotCancellable = Core.FlowNotCancellable.annotations(status(409))
export const GuildOwnedByAnotherTenant = Core.GuildOwnedByAnotherTenant.annotations(status(409))
export const HeldPaymentResolved = Core.HeldPaymentResolved.annotations(status(409))
export const ImportConflict = Core.ImportConflict.annotations(status(409))
export const ImportRefused = Core.ImportRefused.annotations(status(409))
export const NoBillingAccount = Core.NoBillingAccount.annotations(status(409))
export const PlanNotForSale = Core.PlanNotForSale.annotations(status(409))
export const UsageReportConflict = Core.UsageReportConflict.annotations(status(409))

// 5xx: the server or an outside system, not the caller.
export const ConfigMigrationMissing = Core.ConfigMigrationMissing.annotations(status(500))
export const TenantDataUnavailable = Core.TenantDataUnavailable.annotations(status(501))
export const DiscordRoleError = Core.DiscordRoleError.annotations(status(502))
export const FeatureHookFailed = Core.FeatureHookFailed.annotations(status(502))
export const NotReady = Core.NotReady.annotations(status(503))

/** An action reserved to operators, attempted by a tenant key or a person who is not one. */
export class OperatorOnly extends Schema.TaggedError<OperatorOnly>()(
  "OperatorOnly",
  { message: Schema.String },
  status(403)
) {
  static of(action: string, caller: "key" | "person" = "key") {
    return new OperatorOnly({
      message: caller === "key"
        ? `Only an operator key can ${action}; this is a tenant key`
        : `Only an operator can ${action}; you are signed in without operator rights`
    })
  }
}

/**
 * The caller sees the tenant or guild, but its role there falls short of
 * what the endpoint asks (a viewer writing, an admin managing staff).
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  { role: Schema.String, needs: Schema.String, message: Schema.String },
  status(403)
) {}

/** An operator key acts on every tenant, so it must say which one a guild is installed for. */
export class TenantIdRequired extends Schema.TaggedError<TenantIdRequired>()(
  "TenantIdRequired",
  { message: Schema.String },
  status(400)
) {
  static readonly instance = new TenantIdRequired({
    message: "An operator key must name the tenant: add \"tenantId\" to the request body"
  })
}

/** The provider is not set up on this server or for this tenant; the message says what to configure. */
export class PaymentProviderNotConfigured extends Schema.TaggedError<PaymentProviderNotConfigured>()(
  "PaymentProviderNotConfigured",
  { provider: Schema.String, message: Schema.String },
  status(503)
) {}

/** The provider refused or failed the call; its message is passed on. */
export class PaymentProviderFailed extends Schema.TaggedError<PaymentProviderFailed>()(
  "PaymentProviderFailed",
  { provider: Schema.String, message: Schema.String },
  status(502)
) {}

export { PayloadTooLarge } from "../PayloadTooLarge.js"
export { ServiceUnavailable } from "../ServiceUnavailable.js"

/** A provider's refusal as the API reports it: 503 when it is not set up, 502 when it failed. */
export const providerErrorToHttp = <A, E, R>(effect: Effect.Effect<A, E | Core.PaymentProviderError, R>) =>
  Effect.catchIf(
    effect,
    (error): error is Core.PaymentProviderError => error instanceof Core.PaymentProviderError,
    (error) =>
      Effect.fail(
        error.reason === "not_configured"
          ? new PaymentProviderNotConfigured({ provider: error.provider, message: error.message })
          : new PaymentProviderFailed({ provider: error.provider, message: error.message })
      )
  )
