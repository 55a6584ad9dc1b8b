import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { ApiKeyRecord, ApiKeyRepo } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, instantParam } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

/** Operator keys have no tenant; as rows of the same shape their tenant_id is null. */
const keyColumns = "id, name, prefix, secret_hash, created_at, revoked_at"

const decodeKeys = decodeAll(ApiKeyRecord)
const decodeKey = decodeFirst(ApiKeyRecord)

export const ApiKeyRepoSql = Layer.effect(
  ApiKeyRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)
    const columns = sql.literal(keyColumns)

    return ApiKeyRepo.of({
      insert: (record) => {
        const values = sql`${record.id}, ${record.name}, ${record.prefix}, ${record.secretHash},
          ${instantParam(record.createdAt)}, ${record.revokedAt === null ? null : instantParam(record.revokedAt)}`
        return record.tenantId === null
          ? sql`INSERT INTO operator_keys (${columns}) VALUES (${values})`.pipe(Effect.asVoid, asPlatform, boundary)
          : sql`INSERT INTO api_keys (tenant_id, ${columns}) VALUES (${record.tenantId}, ${values})`.pipe(
            Effect.asVoid,
            inTenant(record.tenantId),
            boundary
          )
      },
      // Authentication knows only the presented key, not its tenant yet: a platform lookup.
      findActiveByPrefix: (prefix) =>
        sql`
          SELECT tenant_id, ${columns} FROM api_keys WHERE prefix = ${prefix} AND revoked_at IS NULL
          UNION ALL
          SELECT NULL AS tenant_id, ${columns} FROM operator_keys WHERE prefix = ${prefix} AND revoked_at IS NULL
          ORDER BY created_at, id
        `.pipe(decodeKeys, asPlatform, boundary),
      hasActiveOperatorKey: sql<{ present: boolean }>`
        SELECT EXISTS (SELECT 1 FROM operator_keys WHERE revoked_at IS NULL) AS present
      `.pipe(Effect.map(([row]) => row?.present === true), asPlatform, boundary),
      // Revoking twice keeps the first revocation time.
      revoke: (id, at, tenantId) =>
        Option.match(tenantId, {
          onSome: (tenantId) =>
            sql`
              UPDATE api_keys SET revoked_at = coalesce(revoked_at, ${instantParam(at)})
              WHERE tenant_id = ${tenantId} AND id = ${id}
              RETURNING tenant_id, ${columns}
            `.pipe(decodeKey, inTenant(tenantId), boundary),
          onNone: () =>
            sql`
              WITH revoked_tenant_key AS (
                UPDATE api_keys SET revoked_at = coalesce(revoked_at, ${instantParam(at)})
                WHERE id = ${id}
                RETURNING tenant_id, ${columns}
              ), revoked_operator_key AS (
                UPDATE operator_keys SET revoked_at = coalesce(revoked_at, ${instantParam(at)})
                WHERE id = ${id}
                RETURNING NULL::uuid AS tenant_id, ${columns}
              )
              SELECT * FROM revoked_tenant_key UNION ALL SELECT * FROM revoked_operator_key
            `.pipe(decodeKey, asPlatform, boundary)
        })
    })
  })
)
