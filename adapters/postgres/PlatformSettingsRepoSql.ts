import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { PlatformSettingsRepo } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { asPlatform } from "./TenantScope.js"

/** Platform settings belong to no tenant: platform work only. */
export const PlatformSettingsRepoSql = Layer.effect(
  PlatformSettingsRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)
    return PlatformSettingsRepo.of({
      // A racing replica's insert waits on the key and then does nothing; the SELECT that follows sees its value.
      getOrInsert: (key, candidate) =>
        Effect.gen(function*() {
          yield* sql`INSERT INTO platform_settings (key, value) VALUES (${key}, ${candidate}) ON CONFLICT (key) DO NOTHING`
          const [row] = yield* sql<{ value: string }>`SELECT value FROM platform_settings WHERE key = ${key}`
          return row!.value
        }).pipe(asPlatform, boundary),
      get: (key) =>
        sql<{ value: string }>`SELECT value FROM platform_settings WHERE key = ${key}`.pipe(
          Effect.map((rows) => Option.fromNullable(rows[0]?.value)),
          asPlatform,
          boundary
        ),
      put: (key, value) =>
        sql`
          INSERT INTO platform_settings (key, value) VALUES (${key}, ${value})
          ON CONFLICT (key) DO UPDATE SET value = excluded.value
        `.pipe(Effect.asVoid, asPlatform, boundary)
    })
  })
)
