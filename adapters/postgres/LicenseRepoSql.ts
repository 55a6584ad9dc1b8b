import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import {
  Activation,
  type ActivationOutcome,
  fingerprintKey,
  License,
  type LicenseId,
  LicenseRepo,
  type TenantId,
  validateLicense
} from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, instantParam, jsonParam, nullableInstantParam, withFingerprint } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

/**
 * LicenseRepo on Postgres. Keys are found by their hash in platform context
 * (the license server does not know the tenant yet); an activation locks the
 * license's row (`FOR UPDATE`) before it counts the activations, so
 * concurrent installs on every replica take at most `max_activations` slots.
 */

const licenseColumns = "tenant_id, id, plan_key, flags, limits, max_activations, status, expires_at, created_at"
const activationColumns = "license_id, application_id, install_id, version, first_seen, last_seen"

const decodeLicense = decodeFirst(License)
const decodeLicenses = decodeAll(License)
const decodeActivation = decodeFirst(Activation, withFingerprint)
const decodeActivations = decodeAll(Activation, withFingerprint)

export const LicenseRepoSql = Layer.effect(
  LicenseRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const columns = sql.literal(licenseColumns)
    const activationCols = sql.literal(activationColumns)
    const boundary = repositoryBoundary(sql)

    const activationsOf = (licenseId: LicenseId) =>
      sql`SELECT ${activationCols} FROM license_activations WHERE license_id = ${licenseId} ORDER BY first_seen`.pipe(
        decodeActivations
      )

    return LicenseRepo.of({
      create: (license, keyHash, now) =>
        Effect.gen(function*() {
          yield* sql`
            INSERT INTO licenses (${columns})
            VALUES (${license.tenantId}, ${license.id}, ${license.planKey}, ${jsonParam(license.flags)}::jsonb,
                    ${jsonParam(license.limits)}::jsonb, ${license.maxActivations}, ${license.status},
                    ${nullableInstantParam(license.expiresAt)}, ${instantParam(license.createdAt)})
          `
          yield* sql`
            INSERT INTO license_keys (tenant_id, key_hash, license_id, created_at, valid_until)
            VALUES (${license.tenantId}, ${keyHash}, ${license.id}, ${instantParam(now)}, NULL)
          `
        }).pipe(inTenant(license.tenantId), boundary),

      findByKeyHash: (keyHash, now) =>
        sql`
          SELECT ${sql.literal(licenseColumns.split(", ").map((column) => `l.${column}`).join(", "))}
          FROM license_keys k JOIN licenses l ON l.tenant_id = k.tenant_id AND l.id = k.license_id
          WHERE k.key_hash = ${keyHash} AND (k.valid_until IS NULL OR k.valid_until > ${instantParam(now)})
        `.pipe(decodeLicense, asPlatform, boundary),

      find: (tenantId, licenseId) =>
        sql`SELECT ${columns} FROM licenses WHERE tenant_id = ${tenantId} AND id = ${licenseId}`.pipe(
          decodeLicense,
          inTenant(tenantId),
          boundary
        ),

      list: (tenantId) =>
        sql`SELECT ${columns} FROM licenses WHERE tenant_id = ${tenantId} ORDER BY created_at, id`.pipe(
          decodeLicenses,
          inTenant(tenantId),
          boundary
        ),

      setStatus: (tenantId, licenseId, status) =>
        sql`
          UPDATE licenses SET status = ${status}
          WHERE tenant_id = ${tenantId} AND id = ${licenseId}
          RETURNING ${columns}
        `.pipe(decodeLicense, inTenant(tenantId), boundary),

      replaceKey: (tenantId: TenantId, licenseId, keyHash, now, oldKeysUntil) =>
        Effect.gen(function*() {
          const found = yield* sql`SELECT id FROM licenses WHERE tenant_id = ${tenantId} AND id = ${licenseId}`
          if (found.length === 0) return false
          yield* sql`
            UPDATE license_keys SET valid_until = ${instantParam(oldKeysUntil)}
            WHERE tenant_id = ${tenantId} AND license_id = ${licenseId}
              AND (valid_until IS NULL OR valid_until > ${instantParam(oldKeysUntil)})
          `
          yield* sql`
            INSERT INTO license_keys (tenant_id, key_hash, license_id, created_at, valid_until)
            VALUES (${tenantId}, ${keyHash}, ${licenseId}, ${instantParam(now)}, NULL)
          `
          return true
        }).pipe(inTenant(tenantId), boundary),

      activations: (tenantId, licenseId) =>
        sql`
          SELECT ${activationCols} FROM license_activations
          WHERE tenant_id = ${tenantId} AND license_id = ${licenseId} ORDER BY first_seen
        `.pipe(decodeActivations, inTenant(tenantId), boundary),

      activate: (licenseId, fingerprint, version, now) =>
        Effect.gen(function*() {
          // The row lock serializes every activation of this license until the transaction ends.
          const license = yield* sql`SELECT ${columns} FROM licenses WHERE id = ${licenseId} FOR UPDATE`.pipe(
            decodeLicense
          )
          const held = yield* activationsOf(licenseId)
          const validation = validateLicense({ license, activations: held, fingerprint, now })
          if (validation._tag === "LicenseRefused") {
            return { _tag: "Refused", refusal: validation } satisfies ActivationOutcome
          }
          const activation = yield* sql`
            INSERT INTO license_activations (tenant_id, fingerprint, ${activationCols})
            VALUES (${validation.license.tenantId}, ${fingerprintKey(fingerprint)}, ${licenseId},
                    ${fingerprint.applicationId}, ${fingerprint.installId}, ${version},
                    ${instantParam(now)}, ${instantParam(now)})
            ON CONFLICT (tenant_id, license_id, fingerprint)
            DO UPDATE SET version = excluded.version, last_seen = excluded.last_seen
            RETURNING ${activationCols}
          `.pipe(decodeActivation)
          return {
            _tag: "Activated",
            license: validation.license,
            activation: Option.getOrThrow(activation)
          } satisfies ActivationOutcome
        }).pipe(asPlatform, boundary),

      deactivate: (licenseId, fingerprint) =>
        sql`
          DELETE FROM license_activations
          WHERE license_id = ${licenseId} AND fingerprint = ${fingerprintKey(fingerprint)}
          RETURNING license_id
        `.pipe(Effect.map((rows) => rows.length > 0), asPlatform, boundary)
    })
  })
)
