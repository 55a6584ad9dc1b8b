import type { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { SqlError } from "@effect/sql/SqlError"
import { Config, type ConfigError, Duration, Effect, Layer, Redacted } from "effect"
import Pg from "pg"

/**
 * A pooled client for a Postgres server (@effect/sql-pg over node-postgres).
 *
 * Queries are written in snake_case and rows mapped by hand in the
 * repositories, so no name transforms are configured here or in PgliteClient.
 * Value parsing is node-postgres's default (PgliteClient mirrors it):
 * timestamptz -> Date, json/jsonb -> parsed JSON, uuid/int8/numeric -> string.
 *
 * Statements with parameters are prepared once per connection (ADR 087):
 * Postgres then skips parsing and, after a few executions, planning them.
 */
export interface PgServerClientOptions {
  /** postgres://user:password@host:port/database; `?options=-c search_path=...` selects a schema. */
  readonly url: Redacted.Redacted
  readonly maxConnections?: number | undefined
  readonly applicationName?: string | undefined
  /** Named prepared statements (default true); off for a pooler that cannot keep them (PgBouncer before 1.21). */
  readonly preparedStatements?: boolean | undefined
}

/**
 * The statement texts named so far, process-wide: a name must mean one text on
 * every connection. Past the bound, new texts run unnamed (parsed and planned
 * each time) so that a connection never holds more prepared statements than
 * that, whatever texts the application builds.
 */
const statementNames = new Map<string, string>()
const maxNamedStatements = 500

const nameOf = (text: string): string | undefined => {
  const known = statementNames.get(text)
  if (known !== undefined || statementNames.size >= maxNamedStatements) return known
  const name = `guildhall_${statementNames.size + 1}`
  statementNames.set(text, name)
  return name
}

type QueryCallback = (error: Error, result: Pg.QueryResult) => void

/**
 * node-postgres's client, with every statement that has parameters sent as a
 * named prepared statement (node-postgres parses it on the connection the first
 * time and only binds it afterwards). A statement without parameters stays a
 * simple query: it may hold several statements, which the extended protocol
 * refuses (BEGIN with its settings, migrations).
 */
class PreparingClient extends Pg.Client {
  // @ts-expect-error the overloads of query are narrowed to the (text, values, callback) form @effect/sql-pg uses
  override query(config: unknown, values?: unknown, callback?: QueryCallback) {
    if (typeof config === "string" && Array.isArray(values) && values.length > 0) {
      const name = nameOf(config)
      if (name !== undefined) return super.query({ name, text: config, values }, callback!)
    }
    // @ts-expect-error forwarded as given
    return super.query(config, values, callback)
  }
}

/** How long the first connection may take before the layer fails (only then: a busy pool is waited for). */
const connectTimeout = Duration.seconds(5)

const pool = (options: PgServerClientOptions) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const created = new Pg.Pool({
        connectionString: Redacted.value(options.url),
        max: options.maxConnections,
        application_name: options.applicationName ?? "guildhall",
        ...(options.preparedStatements === false
          ? {}
          : { Client: PreparingClient as unknown as Pg.PoolConfig["Client"] })
      })
      // An idle client's error (the server went away) is the pool's to handle: it drops the client.
      created.on("error", () => {})
      return created
    }),
    (created) => Effect.promise(() => created.end()).pipe(Effect.interruptible, Effect.timeoutOption(1000))
  ).pipe(
    // Fail the layer, as @effect/sql-pg's own does, when the server cannot be reached.
    Effect.tap((created) =>
      Effect.tryPromise({
        try: () => created.query("SELECT 1"),
        catch: (cause) => new SqlError({ cause, message: "PgClient: Failed to connect" })
      }).pipe(
        Effect.timeoutFail({
          duration: connectTimeout,
          onTimeout: () =>
            new SqlError({ cause: new Error("Connection timed out"), message: "PgClient: Connection timed out" })
        })
      )
    )
  )

export const layer = (options: PgServerClientOptions): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError> =>
  PgClient.layerFromPool({ acquire: pool(options), applicationName: options.applicationName ?? "guildhall" })

/** The server from `DATABASE_URL` (a secret: it may carry a password). */
export const layerConfig: Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError | ConfigError.ConfigError> =
  Layer.unwrapEffect(Effect.map(Config.redacted("DATABASE_URL"), (url) => layer({ url })))
