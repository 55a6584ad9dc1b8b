import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Layer } from "effect"
import { ImportConflict, type TableCount, TenantData, type TenantId } from "../../core/index.js"
import { bumpPolicy } from "./policyVersions.js"
import { isUniqueViolation, repositoryBoundary } from "./repositoryBoundary.js"
import { asPlatform } from "./TenantScope.js"
import { archivedTables, type TenantTable, tenantTables } from "./TenantTables.js"

/** Rows sent per INSERT: one jsonb parameter each, well under any statement limit. */
const insertChunk = 2_000

/**
 * The tenant row's columns taken from the archive, except its key and the
 * install's own creation counter (an identity column, which keeps its value here).
 */
const tenantUpsert = (row: Readonly<Record<string, unknown>> | undefined) => {
  const columns = Object.keys(row ?? {}).filter((column) =>
    column !== "id" && column !== "insertion_order" && /^[a-z_][a-z0-9_]*$/.test(column)
  )
  return columns.length === 0
    ? "ON CONFLICT (id) DO NOTHING"
    : `ON CONFLICT (id) DO UPDATE SET ${columns.map((column) => `${column} = excluded.${column}`).join(", ")}`
}

const byName = new Map(tenantTables.map((table) => [table.name, table]))

/**
 * Tenant data over SQL, generically: rows leave as `to_jsonb` (timestamps in
 * UTC) and come back through `jsonb_populate_recordset`, so every column
 * type round-trips exactly without a mapping per table. Table names come
 * from TenantTables only, never from input.
 */
export const TenantDataSql = Layer.effect(
  TenantData,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const rowsOf = (table: TenantTable, tenantId: TenantId) =>
      sql.unsafe<{ row: Record<string, unknown> }>(
        `SELECT to_jsonb(t) AS row FROM ${table.name} t WHERE t.${table.tenantColumn} = $1`,
        [tenantId]
      )

    const deleteRows = (table: TenantTable, tenantId: TenantId) =>
      Effect.map(
        sql.unsafe<{ n: number }>(
          `WITH gone AS (DELETE FROM ${table.name} WHERE ${table.tenantColumn} = $1 RETURNING 1)
           SELECT count(*)::int AS n FROM gone`,
          [tenantId]
        ),
        (rows): TableCount => ({ table: table.name, rows: rows[0]?.n ?? 0 })
      )

    // Children first; guild_directory's key to guilds is deferred, so its order does not matter.
    const purgeAll = (tenantId: TenantId) =>
      Effect.forEach([...tenantTables].reverse(), (table) => deleteRows(table, tenantId))

    const utc = sql`SELECT set_config('TimeZone', 'UTC', true)`

    const boundary = repositoryBoundary(sql)

    return TenantData.of({
      archivedTables: archivedTables.map((table) => table.name),
      dump: (tenantId) =>
        Effect.zipRight(
          utc,
          Effect.forEach(archivedTables, (table) =>
            Effect.map(rowsOf(table, tenantId), (rows) => ({
              table: table.name,
              rows: rows.map((row) => row.row)
            })))
        ).pipe(asPlatform, boundary),
      restore: (tenantId, tables, options) =>
        Effect.gen(function*() {
          for (const { table } of tables) {
            if (byName.get(table)?.archived !== true) return yield* Effect.dieMessage(`not an archived table: ${table}`)
          }
          if (options?.replacing !== undefined && options.replacing !== tenantId) yield* purgeAll(options.replacing)
          const versions = yield* sql<{ guild_id: string; version: number }>`
            SELECT guild_id, version FROM guild_policy_versions WHERE tenant_id = ${tenantId}
          `
          yield* deleteRows(byName.get("command_syncs")!, tenantId)
          yield* deleteRows(byName.get("guild_policy_versions")!, tenantId)
          // The tenant's row is updated in place: the install's own tables (exports, jobs, licenses) still point at it.
          for (const table of [...archivedTables].reverse()) {
            if (table.name !== "tenants") yield* deleteRows(table, tenantId)
          }
          const given = new Map(tables.map((entry) => [entry.table, entry.rows]))
          const counts: Array<TableCount> = []
          for (const table of archivedTables) {
            const rows = given.get(table.name) ?? []
            const upsert = table.name === "tenants" ? tenantUpsert(rows[0]) : ""
            for (let start = 0; start < rows.length; start += insertChunk) {
              yield* sql.unsafe(
                `INSERT INTO ${table.name} OVERRIDING SYSTEM VALUE
                 SELECT * FROM jsonb_populate_recordset(NULL::${table.name}, $1::jsonb) ${upsert}`,
                [JSON.stringify(rows.slice(start, start + insertChunk))]
              )
            }
            counts.push({ table: table.name, rows: rows.length })
          }
          // Versions only grow: a snapshot cached before the restore must not look current after it.
          for (const { guild_id, version } of versions) {
            yield* sql`
              INSERT INTO guild_policy_versions (tenant_id, guild_id, version)
              SELECT tenant_id, guild_id, ${version} FROM guilds WHERE tenant_id = ${tenantId} AND guild_id = ${guild_id}
            `
          }
          yield* bumpPolicy(tenantId, null)
          return counts
        }).pipe(
          asPlatform,
          Effect.catchIf(
            (error): error is SqlError => isUniqueViolation(error),
            (error) =>
              Effect.fail(
                new ImportConflict({
                  message: `The archive's rows collide with another tenant's here (${
                    String((error.cause as { detail?: unknown } | undefined)?.detail ?? error.message)
                  }); nothing was written. A guild can be installed under one tenant at a time.`
                })
              )
          ),
          boundary
        ),
      purge: (tenantId) => purgeAll(tenantId).pipe(asPlatform, boundary),
      count: (tenantId) =>
        Effect.forEach(tenantTables, (table) =>
          Effect.map(
            sql.unsafe<{ n: number }>(
              `SELECT count(*)::int AS n FROM ${table.name} WHERE ${table.tenantColumn} = $1`,
              [tenantId]
            ),
            (rows): TableCount => ({ table: table.name, rows: rows[0]?.n ?? 0 })
          )).pipe(asPlatform, boundary)
    })
  })
)
