import { Effect, Layer, Option } from "effect"
import { PaymentSettingsRepo, type TenantId, type TenantPaymentSettings } from "../../core/index.js"

/** PaymentSettingsRepo in memory, with a store of its own. Secrets stay the Redacted values given. */
export const PaymentSettingsRepoMemory = Layer.sync(PaymentSettingsRepo, () => {
  const settingsByTenant = new Map<TenantId, TenantPaymentSettings>()
  return PaymentSettingsRepo.of({
    get: (tenantId) => Effect.sync(() => Option.fromNullable(settingsByTenant.get(tenantId))),
    put: (settings) => Effect.sync(() => void settingsByTenant.set(settings.tenantId, settings))
  })
})
