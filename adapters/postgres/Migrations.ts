import { Migrator, SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Layer } from "effect"
import { migrations } from "../../migrations/index.js"

/** The generic migrator: PgMigrator would shell out to pg_dump, which PGlite and slim images lack. */
const migrate = Migrator.make({})

const migrationsTable = "effect_sql_migrations"

/** Any constant shared by every Guildhall process: the advisory lock key of migrations. */
const migrationLockKey = 4_711_202_501

/**
 * Brings the database's current schema up to date and returns the migrations
 * it applied (none when already current). Safe to run from several processes
 * at once: they queue on one transaction-scoped advisory lock, and the
 * migrations table is created under that lock (the Migrator's own check-then-
 * create would race).
 */
export const runMigrations: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient
> = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.withTransaction(
    Effect.gen(function*() {
      yield* sql`SELECT pg_advisory_xact_lock(${sql.literal(String(migrationLockKey))})`
      yield* sql`CREATE TABLE IF NOT EXISTS ${sql(migrationsTable)} (
        migration_id integer PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        name text NOT NULL
      )`
      return yield* migrate({ loader: Migrator.fromRecord(migrations), table: migrationsTable })
    })
  ))

/** Runs the migrations when the layer is built (at boot), logging what was applied. */
export const MigrationsLive: Layer.Layer<never, Migrator.MigrationError | SqlError, SqlClient.SqlClient> = Layer
  .effectDiscard(
    Effect.flatMap(runMigrations, (applied) =>
      applied.length === 0
        ? Effect.logDebug("database schema is current")
        : Effect.logInfo("database migrated").pipe(
          Effect.annotateLogs({ applied: applied.map(([id, name]) => `${id}_${name}`).join(", ") })
        ))
  )
