import * as Reactivity from "@effect/experimental/Reactivity"
import type { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import {
  MigrationsLive,
  type OneStatementTransaction,
  PgliteClient,
  PgServerClient
} from "../../adapters/postgres/index.js"

/**
 * Fresh, migrated databases for one test file (or one `layer(...)` block):
 * an in-memory PGlite, or a schema of its own on the Postgres server at
 * TEST_DATABASE_URL, dropped when the layer's scope closes.
 */

export const serverUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"

/** A new in-memory PGlite, without any migration applied. */
export const emptyPgliteDatabase = (): Layer.Layer<SqlClient.SqlClient | PgliteClient.PgliteClient> =>
  Layer.orDie(PgliteClient.layer())

/** A new in-memory PGlite with every migration applied. */
export const pgliteDatabase = (): Layer.Layer<SqlClient.SqlClient | PgliteClient.PgliteClient> =>
  MigrationsLive.pipe(Layer.provideMerge(emptyPgliteDatabase()), Layer.orDie)

export const withSearchPath = (url: string, schema: string): string => {
  const parsed = new URL(url)
  parsed.searchParams.set("options", `-c search_path=${schema}`)
  return parsed.toString()
}

/** A schema of its own on the server, created at acquisition and dropped with everything in it at release. */
export const isolatedSchema = Effect.acquireRelease(
  Effect.gen(function*() {
    const admin = yield* PgClient.PgClient
    const schema = `guildhall_test_${randomBytes(6).toString("hex")}`
    yield* admin`CREATE SCHEMA ${admin(schema)}`
    return schema
  }),
  (schema) => Effect.flatMap(PgClient.PgClient, (admin) => Effect.orDie(admin`DROP SCHEMA ${admin(schema)} CASCADE`))
)

/**
 * For a test that builds its own pools: a schema of its own on the server,
 * and the admin client that created it and drops it when the test's scope
 * closes (built into that scope first, so it is still open then).
 */
export const isolatedServerSchema = Effect.gen(function*() {
  const admin = yield* Layer.build(PgServerClient.layer({ url: Redacted.make(serverUrl), maxConnections: 1 }))
  const schema = yield* isolatedSchema.pipe(Effect.provide(admin))
  return { admin, url: withSearchPath(serverUrl, schema) }
})

/** Options of a server database: `applicationName` lets a test find its connections in pg_stat_activity. */
export interface ServerDatabaseOptions {
  readonly applicationName?: string | undefined
}

/** A new, empty schema on the Postgres server; every pooled connection's search_path points at it. */
export const emptyServerDatabase = (
  options: ServerDatabaseOptions = {}
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient | OneStatementTransaction> =>
  Layer.unwrapScoped(
    Effect.map(
      isolatedSchema,
      (schema) =>
        PgServerClient.layer({
          url: Redacted.make(withSearchPath(serverUrl, schema)),
          applicationName: options.applicationName
        })
    )
  ).pipe(Layer.provide(PgServerClient.layer({ url: Redacted.make(serverUrl), maxConnections: 1 })), Layer.orDie)

/** A new schema on the Postgres server with every migration applied. */
export const serverDatabase = (
  options: ServerDatabaseOptions = {}
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient | OneStatementTransaction> =>
  MigrationsLive.pipe(Layer.provideMerge(emptyServerDatabase(options)), Layer.orDie)

const probeServer = PgClient.make({ url: Redacted.make(serverUrl), connectTimeout: "3 seconds" }).pipe(
  Effect.scoped,
  Effect.provide(Reactivity.layer),
  Effect.as(undefined),
  Effect.catchAll((error) =>
    Effect.succeed(error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message)
  )
)

/**
 * Whether this file should run its Postgres-server suites. Under CI the server
 * is mandatory: an unreachable one throws, failing the file. Elsewhere it skips
 * with a loud warning.
 */
export const serverAvailable = async (): Promise<boolean> => {
  const failure = await Effect.runPromise(probeServer)
  if (failure === undefined) return true
  const message = `Postgres server at ${redactedUrl(serverUrl)} is unreachable (${failure}). ` +
    "Start one (or set TEST_DATABASE_URL) to run the server suites."
  if (process.env.CI) throw new Error(`${message} Under CI (CI is set) these suites are mandatory.`)
  console.warn(`\n${"!".repeat(100)}\n!!! SKIPPING POSTGRES SERVER TESTS: ${message}\n${"!".repeat(100)}\n`)
  return false
}

const redactedUrl = (url: string): string => {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = "***"
  return parsed.toString()
}
