import { SqlClient } from "@effect/sql"
import { Effect, Layer, Redacted, Schema } from "effect"
import { PaymentSettingsRepo, SepaySettings, type TenantId, type TenantPaymentSettings } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { jsonParam } from "./rows.js"
import { inTenant } from "./TenantScope.js"

/**
 * PaymentSettingsRepo on Postgres. The Polar token and webhook secret and the
 * SePay HMAC secret are stored as given (they are needed to call and sign) and
 * leave this module only as Redacted; the SePay API key arrives already hashed.
 * Encrypting them at rest with an operator key is a follow-up.
 */

interface SettingsRow {
  readonly polar_access_token: string | null
  readonly polar_webhook_secret: string | null
  readonly sepay_settings: unknown
  readonly sepay_api_key_hash: string | null
  readonly sepay_hmac_secret: string | null
}

const decodeSepaySettings = Schema.decodeUnknown(SepaySettings)
const encodeSepaySettings = Schema.encode(SepaySettings)

const settingsFromRow = (tenantId: TenantId, row: SettingsRow) =>
  Effect.gen(function*() {
    const polar = row.polar_access_token !== null && row.polar_webhook_secret !== null
      ? {
        accessToken: Redacted.make(row.polar_access_token),
        webhookSecret: Redacted.make(row.polar_webhook_secret)
      }
      : null
    const sepay = row.sepay_settings === null ? null : {
      settings: yield* decodeSepaySettings(row.sepay_settings),
      apiKeyHash: row.sepay_api_key_hash,
      hmacSecret: row.sepay_hmac_secret === null ? null : Redacted.make(row.sepay_hmac_secret)
    }
    return { tenantId, polar, sepay } satisfies TenantPaymentSettings
  })

export const PaymentSettingsRepoSql = Layer.effect(
  PaymentSettingsRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)

    return PaymentSettingsRepo.of({
      get: (tenantId) =>
        sql<SettingsRow>`
          SELECT polar_access_token, polar_webhook_secret, sepay_settings, sepay_api_key_hash, sepay_hmac_secret
          FROM payment_settings WHERE tenant_id = ${tenantId}
        `.pipe(
          Effect.flatMap(([row]) =>
            row === undefined ? Effect.succeedNone : Effect.asSome(settingsFromRow(tenantId, row))
          ),
          inTenant(tenantId),
          boundary
        ),
      put: (settings) =>
        Effect.gen(function*() {
          const { polar, sepay } = settings
          const sepaySettings = sepay === null ? null : jsonParam(yield* encodeSepaySettings(sepay.settings))
          yield* sql`
            INSERT INTO payment_settings (tenant_id, polar_access_token, polar_webhook_secret, sepay_settings,
                                          sepay_api_key_hash, sepay_hmac_secret)
            VALUES (${settings.tenantId}, ${polar === null ? null : Redacted.value(polar.accessToken)},
                    ${polar === null ? null : Redacted.value(polar.webhookSecret)}, ${sepaySettings}::jsonb,
                    ${sepay?.apiKeyHash ?? null},
                    ${sepay?.hmacSecret == null ? null : Redacted.value(sepay.hmacSecret)})
            ON CONFLICT (tenant_id) DO UPDATE SET
              polar_access_token = excluded.polar_access_token, polar_webhook_secret = excluded.polar_webhook_secret,
              sepay_settings = excluded.sepay_settings, sepay_api_key_hash = excluded.sepay_api_key_hash,
              sepay_hmac_secret = excluded.sepay_hmac_secret
          `
        }).pipe(inTenant(settings.tenantId), boundary)
    })
  })
)
