import { Effect, Layer, Option } from "effect"
import {
  JobWakeupsSql,
  MigrationsLive,
  PgliteClient,
  PgServerClient,
  PolicyStoreSql,
  QuotaStoreSql,
  RepositoriesSql
} from "../adapters/postgres/index.js"
import { embeddedPgliteAssets } from "./EmbeddedAssets.js"
import { DatabaseSettings } from "./Settings.js"

/** A Postgres server when DATABASE_URL is set; otherwise the embedded PGlite under GUILDHALL_DATA_DIR. */
export const DatabaseLive = Layer.unwrapEffect(
  Effect.map(DatabaseSettings, ({ dataDir, roundTripSavings, url }) =>
    Option.match(url, {
      onSome: (url) =>
        PgServerClient.layer({ url, roundTripSavings }).pipe(
          Layer.tap(() => Effect.logInfo("database: Postgres server (DATABASE_URL)"))
        ),
      onNone: () =>
        PgliteClient.layer({ dataDir, engineOptions: embeddedPgliteAssets }).pipe(
          Layer.tap(() => Effect.logInfo("database: embedded PGlite").pipe(Effect.annotateLogs({ dataDir })))
        )
    }))
)

/**
 * The repositories and stores over the configured database, migrated before anything uses it, and the
 * LISTEN that wakes the job worker when jobs are enqueued.
 */
export const MigratedDatabaseLive = Layer.mergeAll(RepositoriesSql, QuotaStoreSql, PolicyStoreSql, JobWakeupsSql).pipe(
  Layer.provide(MigrationsLive),
  Layer.provideMerge(DatabaseLive)
)
