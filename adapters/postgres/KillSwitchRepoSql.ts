import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { KillSwitchRepo } from "../../core/index.js"
import { bumpAllGuilds } from "./policyVersions.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { asPlatform } from "./TenantScope.js"

/** Kill switches belong to no tenant: platform work only. */
export const KillSwitchRepoSql = Layer.effect(
  KillSwitchRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)
    return KillSwitchRepo.of({
      set: (key, on) =>
        (on
          ? sql`INSERT INTO kill_switches (key) VALUES (${key}) ON CONFLICT (key) DO NOTHING`
          : sql`DELETE FROM kill_switches WHERE key = ${key}`).pipe(
            Effect.zipRight(bumpAllGuilds),
            Effect.asVoid,
            asPlatform,
            boundary
          ),
      list: sql<{ key: string }>`SELECT key FROM kill_switches ORDER BY key COLLATE "C"`.pipe(
        Effect.map((rows) => rows.map((row) => row.key)),
        asPlatform,
        boundary
      )
    })
  })
)
