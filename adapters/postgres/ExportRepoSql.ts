import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { Export, ExportRepo } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { asNumber, decodeAll, decodeFirst, instantParam, jsonParam, nullableInstantParam, type Row } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

const columns =
  "tenant_id, id, status, requested_by, created_at, finished_at, expires_at, sha256, size_bytes, tables, error"

const fromFields = (fields: Row) => ({ ...fields, sizeBytes: asNumber(fields.sizeBytes) })

const decodeExports = decodeAll(Export, fromFields)
const decodeExport = decodeFirst(Export, fromFields)

/** Exports with their archives in the row (bytea): one store, dropped with the record when it expires. */
export const ExportRepoSql = Layer.effect(
  ExportRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)
    return ExportRepo.of({
      insert: (exported) =>
        sql`
          INSERT INTO exports (tenant_id, id, status, requested_by, created_at)
          VALUES (${exported.tenantId}, ${exported.id}, ${exported.status}, ${exported.requestedBy},
                  ${instantParam(exported.createdAt)})
        `.pipe(Effect.asVoid, inTenant(exported.tenantId), boundary),
      find: (tenantId, id) =>
        sql`SELECT ${sql.literal(columns)} FROM exports WHERE tenant_id = ${tenantId} AND id = ${id}`.pipe(
          decodeExport,
          inTenant(tenantId),
          boundary
        ),
      findAnyTenant: (id) =>
        sql`SELECT ${sql.literal(columns)} FROM exports WHERE id = ${id}`.pipe(decodeExport, asPlatform, boundary),
      list: (tenantId, options) =>
        sql`
          SELECT ${sql.literal(columns)} FROM exports WHERE tenant_id = ${tenantId}
          ORDER BY created_at DESC LIMIT ${options.limit}
        `.pipe(decodeExports, inTenant(tenantId), boundary),
      finish: (exported, archive) =>
        sql`
          UPDATE exports SET status = ${exported.status}, finished_at = ${nullableInstantParam(exported.finishedAt)},
            expires_at = ${nullableInstantParam(exported.expiresAt)}, archive = ${archive},
            sha256 = ${exported.sha256}, size_bytes = ${exported.sizeBytes},
            tables = ${exported.tables === null ? null : jsonParam(exported.tables)}::jsonb, error = ${exported.error}
          WHERE tenant_id = ${exported.tenantId} AND id = ${exported.id} AND status = 'pending'
        `.pipe(Effect.asVoid, inTenant(exported.tenantId), boundary),
      archive: (tenantId, id) =>
        sql<{ archive: Uint8Array | null }>`
          SELECT archive FROM exports WHERE tenant_id = ${tenantId} AND id = ${id} AND status = 'ready'
        `.pipe(
          Effect.map((rows) =>
            Option.fromNullable(rows[0]?.archive).pipe(Option.map((bytes) => new Uint8Array(bytes)))
          ),
          inTenant(tenantId),
          boundary
        ),
      purgeExpired: (now) =>
        sql<{ n: number }>`
          WITH gone AS (DELETE FROM exports WHERE expires_at < ${instantParam(now)} RETURNING 1)
          SELECT count(*)::int AS n FROM gone
        `.pipe(Effect.map((rows) => rows[0]?.n ?? 0), asPlatform, boundary)
    })
  })
)
