import { Context, type Effect, type Option } from "effect"
import type { TenantId } from "../ids.js"
import type { TenantPaymentSettings } from "../payments/PaymentSettings.js"

export interface PaymentSettingsRepoService {
  readonly get: (tenantId: TenantId) => Effect.Effect<Option.Option<TenantPaymentSettings>>
  /** Replaces the tenant's settings whole. */
  readonly put: (settings: TenantPaymentSettings) => Effect.Effect<void>
}

export class PaymentSettingsRepo extends Context.Tag("core/PaymentSettingsRepo")<
  PaymentSettingsRepo,
  PaymentSettingsRepoService
>() {}
