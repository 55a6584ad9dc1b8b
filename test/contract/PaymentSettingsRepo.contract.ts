import { assert, layer } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import {
  PaymentSettingsRepo,
  type SepaySettings,
  type TenantId,
  type TenantPaymentSettings,
  TenantRepo
} from "../../core/index.js"
import { makeTenant } from "../support/fixtures.js"
import type { Store } from "../support/stores.js"

export type PaymentSettingsPorts = TenantRepo | PaymentSettingsRepo

const sepaySettings: SepaySettings = {
  codePrefix: "GH",
  suffixLength: 8,
  suffixAlphabet: "alphanumeric",
  rotation: "weighted",
  accounts: [
    { accountNumber: "0123456789", bankCode: "MBBank", weight: 3, hours: null },
    { accountNumber: "9876543210", bankCode: "VCB", weight: 1, hours: { from: 8, to: 22 } }
  ],
  orderTtlMinutes: 60
}

const newTenant = Effect.gen(function*() {
  const tenant = makeTenant()
  yield* (yield* TenantRepo).insert(tenant)
  return tenant.id
})

/** The settings with every secret revealed, to compare what was stored (Redacted values compare by identity). */
const revealed = (settings: Option.Option<TenantPaymentSettings>) =>
  Option.map(settings, ({ polar, sepay, tenantId }) => ({
    tenantId,
    polar: polar === null
      ? null
      : { accessToken: Redacted.value(polar.accessToken), webhookSecret: Redacted.value(polar.webhookSecret) },
    sepay: sepay === null ? null : {
      settings: sepay.settings,
      apiKeyHash: sepay.apiKeyHash,
      hmacSecret: sepay.hmacSecret === null ? null : Redacted.value(sepay.hmacSecret)
    }
  }))

const everything = (tenantId: TenantId): TenantPaymentSettings => ({
  tenantId,
  polar: { accessToken: Redacted.make("polar_oat_secret"), webhookSecret: Redacted.make("whsec_polar") },
  sepay: { settings: sepaySettings, apiKeyHash: "a".repeat(64), hmacSecret: Redacted.make("sepay-hmac") }
})

export const paymentSettingsRepoContract = (store: Store<PaymentSettingsPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`PaymentSettingsRepo on ${store.name}`, (it) => {
    it.effect("round-trips a tenant's settings with its secrets Redacted, and replaces them whole", () =>
      Effect.gen(function*() {
        const repo = yield* PaymentSettingsRepo
        const tenantId = yield* newTenant
        assert.deepStrictEqual(yield* repo.get(tenantId), Option.none())

        yield* repo.put(everything(tenantId))
        const stored = yield* repo.get(tenantId)
        const polar = Option.getOrThrow(stored).polar!
        assert.isTrue(Redacted.isRedacted(polar.accessToken))
        assert.isTrue(Redacted.isRedacted(polar.webhookSecret))
        assert.isTrue(Redacted.isRedacted(Option.getOrThrow(stored).sepay!.hmacSecret))
        assert.notInclude(String(polar.accessToken), "polar_oat_secret")
        assert.deepStrictEqual(revealed(stored), revealed(Option.some(everything(tenantId))))

        const sepayOnly: TenantPaymentSettings = {
          tenantId,
          polar: null,
          sepay: { settings: { ...sepaySettings, codePrefix: "VIP" }, apiKeyHash: null, hmacSecret: null }
        }
        yield* repo.put(sepayOnly)
        assert.deepStrictEqual(revealed(yield* repo.get(tenantId)), revealed(Option.some(sepayOnly)))

        const nothing: TenantPaymentSettings = { tenantId, polar: null, sepay: null }
        yield* repo.put(nothing)
        assert.deepStrictEqual(yield* repo.get(tenantId), Option.some(nothing))
      }))

    it.effect("a tenant's settings are its own", () =>
      Effect.gen(function*() {
        const repo = yield* PaymentSettingsRepo
        const owner = yield* newTenant
        const other = yield* newTenant
        yield* repo.put(everything(owner))
        assert.deepStrictEqual(yield* repo.get(other), Option.none())
        const otherSettings: TenantPaymentSettings = {
          tenantId: other,
          polar: { accessToken: Redacted.make("other-token"), webhookSecret: Redacted.make("other-secret") },
          sepay: null
        }
        yield* repo.put(otherSettings)
        assert.deepStrictEqual(revealed(yield* repo.get(owner)), revealed(Option.some(everything(owner))))
        assert.deepStrictEqual(revealed(yield* repo.get(other)), revealed(Option.some(otherSettings)))
      }))
  })
