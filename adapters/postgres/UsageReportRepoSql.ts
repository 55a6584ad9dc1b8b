import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option, Schema } from "effect"
import {
  fingerprintKey,
  InstallFingerprint,
  LicenseId,
  TenantId,
  type UsageAppendOutcome,
  UsageReport,
  UsageReportRepo
} from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, instantParam, jsonParam, type Row, withFingerprint } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

/**
 * UsageReportRepo on Postgres. A stream is found by license and install in
 * platform context; an append locks the stream's row (`FOR UPDATE`) before it
 * compares the sequence, so concurrent sends of one sequence on every replica
 * store it once.
 */

const UsageStreamRow = Schema.Struct({
  tenantId: TenantId,
  licenseId: LicenseId,
  fingerprint: InstallFingerprint,
  reportKey: Schema.String,
  lastSequence: Schema.Int
})

const streamColumns = "tenant_id, license_id, application_id, install_id, report_key, last_sequence"
const reportColumns = "r.tenant_id, r.license_id, s.application_id, s.install_id, r.sequence, " +
  "to_char(r.period_start, 'YYYY-MM-DD') AS period_start, to_char(r.period_end, 'YYYY-MM-DD') AS period_end, " +
  "r.entries, r.received_at"

const streamFromFields = (fields: Row) => ({ ...withFingerprint(fields), lastSequence: Number(fields.lastSequence) })

const reportFromFields = (fields: Row) => ({ ...withFingerprint(fields), sequence: Number(fields.sequence) })

const decodeStream = decodeFirst(UsageStreamRow, streamFromFields)
const decodeReports = decodeAll(UsageReport, reportFromFields)

export const UsageReportRepoSql = Layer.effect(
  UsageReportRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)
    const columns = sql.literal(streamColumns)

    return UsageReportRepo.of({
      registerKey: (tenantId, licenseId, fingerprint, reportKey, now) =>
        Effect.gen(function*() {
          yield* sql`
            INSERT INTO license_usage_streams
              (tenant_id, license_id, fingerprint, application_id, install_id, report_key, last_sequence, registered_at)
            VALUES (${tenantId}, ${licenseId}, ${fingerprintKey(fingerprint)}, ${fingerprint.applicationId},
                    ${fingerprint.installId}, ${reportKey}, 0, ${instantParam(now)})
            ON CONFLICT (tenant_id, license_id, fingerprint) DO NOTHING
          `
          const pinned = yield* sql`
            SELECT ${columns} FROM license_usage_streams
            WHERE tenant_id = ${tenantId} AND license_id = ${licenseId} AND fingerprint = ${fingerprintKey(fingerprint)}
          `.pipe(decodeStream)
          return Option.getOrThrow(pinned).reportKey
        }).pipe(inTenant(tenantId), boundary),

      stream: (licenseId, fingerprint) =>
        sql`
          SELECT ${columns} FROM license_usage_streams
          WHERE license_id = ${licenseId} AND fingerprint = ${fingerprintKey(fingerprint)}
        `.pipe(decodeStream, asPlatform, boundary),

      append: (report) =>
        Effect.gen(function*() {
          const fingerprint = fingerprintKey(report.fingerprint)
          // The row lock serializes every append to this stream until the transaction ends.
          const locked = yield* sql`
            SELECT last_sequence FROM license_usage_streams
            WHERE tenant_id = ${report.tenantId} AND license_id = ${report.licenseId} AND fingerprint = ${fingerprint}
            FOR UPDATE
          `
          const last = locked[0] === undefined ? 0 : Number(locked[0].last_sequence)
          const expectedSequence = last + 1
          if (locked[0] === undefined) return { _tag: "Gap", expectedSequence } satisfies UsageAppendOutcome
          if (report.sequence < expectedSequence) {
            return { _tag: "Replayed", expectedSequence } satisfies UsageAppendOutcome
          }
          if (report.sequence > expectedSequence) return { _tag: "Gap", expectedSequence } satisfies UsageAppendOutcome
          yield* sql`
            INSERT INTO license_usage_reports
              (tenant_id, license_id, fingerprint, sequence, period_start, period_end, entries, received_at)
            VALUES (${report.tenantId}, ${report.licenseId}, ${fingerprint}, ${report.sequence},
                    ${report.periodStart}::date, ${report.periodEnd}::date, ${jsonParam(report.entries)}::jsonb,
                    ${instantParam(report.receivedAt)})
          `
          yield* sql`
            UPDATE license_usage_streams SET last_sequence = ${report.sequence}
            WHERE tenant_id = ${report.tenantId} AND license_id = ${report.licenseId} AND fingerprint = ${fingerprint}
          `
          return { _tag: "Accepted" } satisfies UsageAppendOutcome
        }).pipe(inTenant(report.tenantId), boundary),

      list: (tenantId, licenseId) =>
        sql`
          SELECT ${sql.literal(reportColumns)}
          FROM license_usage_reports r
          JOIN license_usage_streams s
            ON s.tenant_id = r.tenant_id AND s.license_id = r.license_id AND s.fingerprint = r.fingerprint
          WHERE r.tenant_id = ${tenantId} AND r.license_id = ${licenseId}
          ORDER BY r.fingerprint, r.sequence
        `.pipe(decodeReports, inTenant(tenantId), boundary)
    })
  })
)
