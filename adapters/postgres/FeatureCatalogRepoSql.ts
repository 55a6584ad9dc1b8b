import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { FeatureCatalogRecord, FeatureCatalogRepo } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, instantParam, jsonParam } from "./rows.js"
import { asPlatform } from "./TenantScope.js"

const catalogColumns = "key, name, description, requires, access, commands, config_version, synced_at, retired_at"

const decodeRecords = decodeAll(FeatureCatalogRecord)

/** The feature catalog in the platform table of migration 0006. */
export const FeatureCatalogRepoSql = Layer.effect(
  FeatureCatalogRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)

    return FeatureCatalogRepo.of({
      sync: (entries, now) =>
        Effect.gen(function*() {
          // Replicas booting together sync one after another, so each reports exactly what it changed.
          yield* sql`LOCK TABLE feature_catalog IN EXCLUSIVE MODE`
          const before = yield* sql<{ key: string; retired: boolean }>`
            SELECT key, retired_at IS NOT NULL AS retired FROM feature_catalog
          `
          const registered = new Set(entries.map((entry) => entry.key))
          const active = new Set(before.filter((row) => !row.retired).map((row) => row.key))
          const added = entries.map((entry) => entry.key).filter((key) => !active.has(key))
          const retired = [...active].filter((key) => !registered.has(key))
          for (const entry of entries) {
            yield* sql`
              INSERT INTO feature_catalog (${sql.literal(catalogColumns)})
              VALUES (${entry.key}, ${entry.name}, ${entry.description}, ${entry.requires}, ${entry.access},
                      ${jsonParam(entry.commands)}::jsonb, ${entry.configVersion}, ${instantParam(now)}, NULL)
              ON CONFLICT (key) DO UPDATE SET
                name = excluded.name, description = excluded.description, requires = excluded.requires,
                access = excluded.access, commands = excluded.commands, config_version = excluded.config_version,
                synced_at = excluded.synced_at, retired_at = NULL
            `
          }
          if (retired.length > 0) {
            yield* sql`UPDATE feature_catalog SET retired_at = ${instantParam(now)} WHERE key IN ${sql.in(retired)}`
          }
          return { added: added.sort(), retired: retired.sort() }
        }).pipe(asPlatform, boundary),
      list: sql`SELECT ${sql.literal(catalogColumns)} FROM feature_catalog ORDER BY key COLLATE "C"`.pipe(
        decodeRecords,
        asPlatform,
        boundary
      )
    })
  })
)
