import type { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { SqlError } from "@effect/sql/SqlError"
import { Config, type ConfigError, Duration, Effect, Layer, Redacted } from "effect"
import Pg from "pg"
import { makePgListener, PgListener } from "./PgListener.js"
import {
  OneStatementTransaction,
  oneStatementTransactionOn,
  RoundTripClient,
  type RoundTripSavings,
  type RoundTripTricks,
  tricksOf
} from "./RoundTrips.js"

/**
 * A pooled client for a Postgres server (@effect/sql-pg over node-postgres).
 *
 * Queries are written in snake_case and rows renamed where they are decoded
 * (rows.ts), so no name transforms are configured here or in PgliteClient.
 * Value parsing is node-postgres's default (PgliteClient mirrors it):
 * timestamptz -> Date, json/jsonb -> parsed JSON, uuid/int8/numeric -> string.
 *
 * The connections are RoundTrips.ts's clients, with the round-trip savings
 * the switch selects (ADR 101).
 */
export interface PgServerClientOptions {
  /** postgres://user:password@host:port/database; `?options=-c search_path=...` selects a schema. */
  readonly url: Redacted.Redacted
  readonly maxConnections?: number | undefined
  readonly applicationName?: string | undefined
  /** The round-trip savings (RoundTrips.ts; default "all"). */
  readonly roundTripSavings?: RoundTripSavings | undefined
  /** The savings trick by trick instead of `roundTripSavings`: for tests of one trick. */
  readonly roundTripTricks?: RoundTripTricks | undefined
}

/** How long the first connection may take before the layer fails (only then: a busy pool is waited for). */
const connectTimeout = Duration.seconds(5)

const tricksOfOptions = (options: PgServerClientOptions) =>
  options.roundTripTricks ?? tricksOf(options.roundTripSavings ?? "all")

const pool = (options: PgServerClientOptions) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const created = new Pg.Pool({
        connectionString: Redacted.value(options.url),
        max: options.maxConnections,
        application_name: options.applicationName ?? "guildhall",
        Client: RoundTripClient as unknown as Pg.PoolConfig["Client"],
        roundTripTricks: tricksOfOptions(options)
      } as Pg.PoolConfig)
      created.on("release", (_error, client) => (client as unknown as RoundTripClient).dropUnsentOpener())
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

export const layer = (
  options: PgServerClientOptions
): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient | OneStatementTransaction | PgListener, SqlError> =>
  Layer.unwrapScoped(
    Effect.map(pool(options), (created) =>
      Layer.mergeAll(
        PgClient.layerFromPool({
          acquire: Effect.succeed(created),
          applicationName: options.applicationName ?? "guildhall"
        }),
        Layer.succeed(OneStatementTransaction, oneStatementTransactionOn(created, tricksOfOptions(options))),
        Layer.succeed(
          PgListener,
          makePgListener({ url: options.url, applicationName: options.applicationName ?? "guildhall" })
        )
      ))
  )

/** The server from `DATABASE_URL` (a secret: it may carry a password). */
export const layerConfig: Layer.Layer<
  PgClient.PgClient | SqlClient.SqlClient | OneStatementTransaction | PgListener,
  SqlError | ConfigError.ConfigError
> = Layer.unwrapEffect(Effect.map(Config.redacted("DATABASE_URL"), (url) => layer({ url })))
