import type { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { SqlError } from "@effect/sql/SqlError"
import { Config, type ConfigError, Duration, Effect, Layer, Redacted } from "effect"
import Pg from "pg"
import { OneStatementTransaction } from "./OneStatementTransaction.js"
import { makePgListener, PgListener } from "./PgListener.js"

/**
 * A pooled client for a Postgres server (@effect/sql-pg over node-postgres).
 *
 * Queries are written in snake_case and rows mapped by hand in the
 * repositories, so no name transforms are configured here or in PgliteClient.
 * Value parsing is node-postgres's default (PgliteClient mirrors it):
 * timestamptz -> Date, json/jsonb -> parsed JSON, uuid/int8/numeric -> string.
 *
 * Statements with parameters are prepared once per connection (ADR 087):
 * Postgres then skips parsing and, after a few executions, planning them. A
 * transaction's BEGIN is sent with its first statement (ADR 089).
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

type QueryCallback = (error: Error | null, result: Pg.QueryResult | undefined) => void

/** A transaction's opening statement (@effect/sql's `BEGIN`, or ADR 085's `BEGIN; SELECT set_config(...)`). */
const isTransactionOpener = (config: unknown, values: unknown, callback: unknown) =>
  typeof config === "string" && /^BEGIN(;|$)/.test(config) &&
  (values === undefined || (Array.isArray(values) && values.length === 0)) && typeof callback === "function"

/** What an opener answers (its rows are never read: only whether it failed). */
const openerResult = { command: "BEGIN", rowCount: null, oid: 0, fields: [], rows: [] } as Pg.QueryResult

/** The client's socket, corked around queries written together so they leave in one write. */
const socketOf = (client: object) =>
  (client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream

interface ClientConfig extends Pg.ClientConfig {
  /** Name every statement that has parameters (ADR 087). */
  readonly prepareStatements: boolean
}

/**
 * node-postgres's client in pipeline mode, with two changes:
 *
 * - Every statement that has parameters is sent as a named prepared statement
 *   (node-postgres parses it on the connection the first time and only binds
 *   it afterwards: ADR 087). A statement without parameters stays a simple
 *   query: it may hold several statements, which the extended protocol
 *   refuses (BEGIN with its settings, migrations).
 * - A transaction's opener is answered at once and sent with the
 *   transaction's next statement, in one write (ADR 089): the caller does not
 *   wait a round trip for a BEGIN that cannot fail on its own. Postgres runs
 *   the two in order; if the opener failed (its settings), the statement ran
 *   in the aborted transaction and failed too, and its caller gets the
 *   opener's error. Pipeline mode is what lets node-postgres write a query
 *   before the previous one is answered; each connection still serves one
 *   borrower at a time, who waits for each of its statements.
 */
class GuildhallPgClient extends Pg.Client {
  readonly #prepareStatements: boolean
  #opener: string | undefined

  constructor(config: ClientConfig) {
    super({ ...config, pipeline: true } as Pg.ClientConfig)
    this.#prepareStatements = config.prepareStatements
  }

  /** The pool calls this when the client is returned: an opener no statement followed was never sent. */
  dropUnsentOpener() {
    this.#opener = undefined
  }

  // @ts-expect-error the overloads of query are narrowed to the (text, values, callback) form @effect/sql-pg uses
  override query(config: unknown, values?: unknown, callback?: QueryCallback) {
    if (isTransactionOpener(config, values, callback)) {
      if (this.#opener !== undefined) {
        return callback!(new Error(`${config as string}: a transaction is already being opened`), undefined)
      }
      this.#opener = config as string
      return callback!(null, openerResult)
    }
    const opener = this.#opener
    if (opener === undefined) return this.#send(config, values, callback)
    this.#opener = undefined
    let openerError: Error | undefined
    const stream = socketOf(this)
    stream.cork()
    try {
      super.query(opener, [], (error: Error | null) => {
        if (error !== null) openerError = error
      })
      const answer: QueryCallback | undefined = typeof callback === "function"
        ? (error, result) =>
          openerError === undefined
            ? callback(error, result)
            : callback(new Error(`the transaction could not be opened: ${openerError.message}`), undefined)
        : undefined
      return this.#send(config, values, answer)
    } finally {
      stream.uncork()
    }
  }

  #send(config: unknown, values?: unknown, callback?: QueryCallback) {
    if (this.#prepareStatements && typeof config === "string" && Array.isArray(values) && values.length > 0) {
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
        Client: GuildhallPgClient as unknown as Pg.PoolConfig["Client"],
        prepareStatements: options.preparedStatements !== false
      } as Pg.PoolConfig)
      created.on("release", (_error, client) => (client as unknown as GuildhallPgClient).dropUnsentOpener())
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

/** A server error (it has a SQLSTATE); anything else leaves the connection in doubt, so the pool drops it. */
const isServerError = (error: unknown) =>
  typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string"

/**
 * OneStatementTransaction on the pool: the opener, the statement and COMMIT are
 * written in one go (pipeline mode) and answered in order. A failed statement
 * aborts the transaction, so Postgres answers the COMMIT with a rollback.
 */
const oneStatementTransaction = (pool: Pg.Pool) =>
  OneStatementTransaction.of({
    run: (opener, [text, params]) =>
      Effect.async<ReadonlyArray<Record<string, unknown>>, SqlError>((resume) => {
        pool.connect((connectError, client, release) => {
          if (connectError !== undefined || client === undefined) {
            return resume(
              Effect.fail(new SqlError({ cause: connectError, message: "Failed to acquire connection" }))
            )
          }
          let failure: unknown = undefined
          let rows: ReadonlyArray<Record<string, unknown>> = []
          const failed = (error: unknown) => {
            if (failure === undefined) failure = error
          }
          // The socket can fail while the queries are out: their callbacks then get the error.
          client.on("error", failed)
          const stream = socketOf(client)
          stream.cork()
          client.query(opener, [], (error: Error | null) => error === null || failed(error))
          client.query(text, params as Array<unknown>, (error: Error | null, result?: Pg.QueryResult) => {
            if (error !== null) failed(error)
            else rows = result?.rows ?? []
          })
          client.query("COMMIT", [], (error: Error | null) => {
            if (error !== null) failed(error)
            client.off("error", failed)
            release(failure === undefined || isServerError(failure) ? undefined : failure as Error)
            resume(
              failure === undefined
                ? Effect.succeed(rows)
                : Effect.fail(new SqlError({ cause: failure, message: "Failed to execute statement" }))
            )
          })
          stream.uncork()
        })
      })
  })

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
        Layer.succeed(OneStatementTransaction, oneStatementTransaction(created)),
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
