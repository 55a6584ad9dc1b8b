import { SqlError } from "@effect/sql/SqlError"
import { Context, Effect } from "effect"
import Pg from "pg"

/**
 * Every round-trip saving of the Postgres server's client, in one place and
 * behind one switch (ADR 101). A repository call is a transaction (ADR 085):
 * its opener (`BEGIN; SELECT set_config(...)`, TenantScope's), its statements,
 * COMMIT. Without savings each of those is a round trip; the tricks:
 *
 * - settings with BEGIN (ADR 085): the opener and its settings are one
 *   simple-protocol message, one round trip instead of two;
 * - pipelined opener (ADR 089): the opener is answered at once and written
 *   together with the transaction's first statement (node-postgres's pipeline
 *   mode matches the answers in order), one round trip fewer again;
 * - prepared statements (ADR 087): a statement with parameters is parsed once
 *   per connection under a name and only bound afterwards (no round trip
 *   saved, but the server's parse and plan);
 * - one-statement transactions (ADR 091): a transaction that is one statement
 *   (OneStatementTransaction) writes its opener, the statement and COMMIT
 *   together, one round trip for all three.
 *
 * PGlite runs in process and has no round trip, so none of this applies to it.
 */

/**
 * The switch (GUILDHALL_DB_ROUND_TRIP_SAVINGS): every trick (the default),
 * every trick but prepared statements (for a pooler that cannot keep them,
 * PgBouncer before 1.21 in transaction mode), or none (plain node-postgres:
 * to rule the tricks out when something looks wrong).
 */
export const roundTripSavings = ["all", "all-but-prepared-statements", "none"] as const
export type RoundTripSavings = typeof roundTripSavings[number]

/** The tricks one by one; the switch picks a combination, the tests try each alone. */
export interface RoundTripTricks {
  readonly settingsWithBegin: boolean
  readonly pipelinedOpener: boolean
  readonly preparedStatements: boolean
  readonly oneStatementTransactions: boolean
}

export const tricksOf = (savings: RoundTripSavings): RoundTripTricks => ({
  settingsWithBegin: savings !== "none",
  pipelinedOpener: savings !== "none",
  preparedStatements: savings === "all",
  oneStatementTransactions: savings !== "none"
})

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

/** A transaction's opening statement (@effect/sql's `BEGIN`, or TenantScope's `BEGIN; SELECT set_config(...)`). */
const isTransactionOpener = (config: unknown, values: unknown, callback: unknown): config is string =>
  typeof config === "string" && /^BEGIN(;|$)/.test(config) &&
  (values === undefined || (Array.isArray(values) && values.length === 0)) && typeof callback === "function"

/** What an opener answers (its rows are never read: only whether it failed). */
const openerResult = { command: "BEGIN", rowCount: null, oid: 0, fields: [], rows: [] } as Pg.QueryResult

/**
 * The private part of node-postgres's Client this module relies on: the
 * connection's socket, corked around queries written together so that they
 * leave in one write. test/postgres/pg-internals.test.ts checks it is there.
 */
export const socketOf = (client: object): { cork(): void; uncork(): void } =>
  (client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream

export interface RoundTripClientConfig extends Pg.ClientConfig {
  readonly roundTripTricks: RoundTripTricks
}

/**
 * node-postgres's client with the tricks it is given. Each connection still
 * serves one borrower at a time, who waits for each of its statements, so
 * pipeline mode changes nothing else. An opener whose settings fail (a role
 * that does not exist) aborts the transaction: the statement sent with it
 * fails too, and its caller gets the opener's error.
 */
export class RoundTripClient extends Pg.Client {
  readonly #tricks: RoundTripTricks
  #opener: string | undefined

  constructor(config: RoundTripClientConfig) {
    super({ ...config, pipeline: config.roundTripTricks.pipelinedOpener } as Pg.ClientConfig)
    this.#tricks = config.roundTripTricks
  }

  /** The pool calls this when the client is returned: an opener no statement followed was never sent. */
  dropUnsentOpener() {
    this.#opener = undefined
  }

  // @ts-expect-error the overloads of query are narrowed to the (text, values, callback) form @effect/sql-pg uses
  override query(config: unknown, values?: unknown, callback?: QueryCallback) {
    if (isTransactionOpener(config, values, callback)) {
      if (!this.#tricks.pipelinedOpener) return this.#sendOpener(config, callback!)
      if (this.#opener !== undefined) {
        return callback!(new Error(`${config}: a transaction is already being opened`), undefined)
      }
      this.#opener = config
      return callback!(null, openerResult)
    }
    const opener = this.#opener
    if (opener === undefined) return this.#send(config, values, callback)
    this.#opener = undefined
    let openerError: Error | undefined
    const stream = socketOf(this)
    stream.cork()
    try {
      this.#sendOpener(opener, (error) => {
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

  /**
   * The opener as one message, or without that trick its parts as queries of their own: node-postgres
   * queues them in order, and sends each after the one before was answered unless in pipeline mode.
   */
  #sendOpener(opener: string, callback: QueryCallback) {
    if (this.#tricks.settingsWithBegin) return super.query(opener, [], callback)
    const parts = opener.split("; ")
    let firstError: Error | null = null
    parts.slice(0, -1).forEach((part) =>
      super.query(part, [], (error: Error | null) => {
        firstError ??= error
      })
    )
    return super.query(
      parts.at(-1)!,
      [],
      (error: Error | null, result?: Pg.QueryResult) => callback(firstError ?? error, result)
    )
  }

  #send(config: unknown, values?: unknown, callback?: QueryCallback) {
    if (this.#tricks.preparedStatements && typeof config === "string" && Array.isArray(values) && values.length > 0) {
      const name = nameOf(config)
      if (name !== undefined) return super.query({ name, text: config, values }, callback!)
    }
    // @ts-expect-error forwarded as given
    return super.query(config, values, callback)
  }
}

/**
 * A transaction of one statement: its opener (a parameterless BEGIN with its
 * settings), the statement (compiled text and parameters) and COMMIT. The
 * Postgres server's client provides it (oneStatementTransactionOn); without it
 * (PGlite, which has no round trip) TenantScope opens an ordinary
 * transaction. If any part fails, nothing is committed and the first failure
 * is returned.
 */
export class OneStatementTransaction extends Context.Tag("adapters/postgres/OneStatementTransaction")<
  OneStatementTransaction,
  {
    readonly run: (
      opener: string,
      statement: readonly [text: string, params: ReadonlyArray<unknown>]
    ) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, SqlError>
  }
>() {}

/** A server error (it has a SQLSTATE); anything else leaves the connection in doubt, so the pool drops it. */
const isServerError = (error: unknown) =>
  typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string"

/**
 * OneStatementTransaction on `pool`. With the trick the three are written in
 * one go (the client's pipeline mode) and answered in order, a failed statement aborting
 * the transaction so that Postgres answers the COMMIT with a rollback;
 * without it each waits for the answer to the one before, as an ordinary
 * transaction's do.
 */
export const oneStatementTransactionOn = (pool: Pg.Pool, tricks: RoundTripTricks) =>
  OneStatementTransaction.of({
    run: (opener, [text, params]) =>
      Effect.async<ReadonlyArray<Record<string, unknown>>, SqlError>((resume) => {
        pool.connect((connectError, client, release) => {
          if (connectError !== undefined || client === undefined) {
            return resume(Effect.fail(new SqlError({ cause: connectError, message: "Failed to acquire connection" })))
          }
          let failure: unknown = undefined
          let rows: ReadonlyArray<Record<string, unknown>> = []
          const failed = (error: unknown) => {
            if (failure === undefined) failure = error
          }
          // The socket can fail while the queries are out: their callbacks then get the error.
          client.on("error", failed)
          const commit = () =>
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
          const statement = (then: () => void) =>
            client.query(text, params as Array<unknown>, (error: Error | null, result?: Pg.QueryResult) => {
              if (error !== null) failed(error)
              else rows = result?.rows ?? []
              then()
            })
          const begin = (then: () => void) =>
            client.query(opener, [], (error: Error | null) => {
              if (error !== null) failed(error)
              then()
            })
          if (!tricks.oneStatementTransactions) return begin(() => statement(commit))
          // Written together only in pipeline mode (the client's with the opener trick); otherwise queued in order.
          const stream = socketOf(client)
          stream.cork()
          try {
            begin(() => {})
            statement(() => {})
            commit()
          } finally {
            stream.uncork()
          }
        })
      })
  })
