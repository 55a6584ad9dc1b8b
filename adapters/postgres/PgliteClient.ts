import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import type { Connection } from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import { PGlite, type PGliteOptions, types } from "@electric-sql/pglite"
import { Config, type ConfigError, Context, Effect, Layer, type Scope, Stream } from "effect"
import { mkdirSync } from "node:fs"
import { type DataDirectoryLocked, lockDataDirectory } from "./DataDirectoryLock.js"

/**
 * An @effect/sql client over one embedded PGlite (Postgres in WASM) instance.
 *
 * PGlite is a single backend session, so every statement and every
 * transaction takes the one permit of a semaphore and keeps it until its scope
 * closes: a transaction owns the session from BEGIN to COMMIT/ROLLBACK, and no
 * other fiber's statement can slip into it (or be rolled back with it).
 *
 * Row values are parsed like node-postgres does on the server client, so the
 * repositories see the same shapes whichever client runs them:
 * timestamptz/timestamp/date -> Date, json/jsonb -> parsed JSON, uuid -> string,
 * numeric -> string, int2/int4/float -> number, and int8 -> string (PGlite would
 * give number or bigint; pg gives a lossless string; cast counts to int).
 *
 * A data directory is opened by one process at a time (DataDirectoryLock).
 */
export interface PgliteClient extends SqlClient.SqlClient {
  /** The PGlite instance, for what @effect/sql does not cover (`listen`, `dumpDataDir`). */
  readonly pglite: PGlite
}

export const PgliteClient = Context.GenericTag<PgliteClient>("adapters/postgres/PgliteClient")

export interface PgliteClientOptions {
  /** Where the database files live; undefined keeps the database in memory. */
  readonly dataDir?: string | undefined
  /**
   * More PGlite options, loaded when the database opens: a single-file bundle
   * passes its embedded WebAssembly and data files here. The value parsers
   * above always apply.
   */
  readonly engineOptions?: (() => Promise<Partial<PGliteOptions>>) | undefined
}

const parsers = { [types.INT8]: (value: string) => value }

const sqlError = (message: string) => (cause: unknown) => new SqlError({ cause, message })

/**
 * PGlite runs each statement on this thread and settles its promise without
 * ever returning to the event loop, so a long run of statements would starve
 * timers, signals and HTTP traffic. One macrotask turn after each statement
 * keeps them served (a few microseconds against a statement's milliseconds).
 */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

const makeConnection = (pglite: PGlite): Connection => {
  // Parameterless SQL may hold several statements (migrations), which only the
  // simple protocol (`exec`) accepts; `query` always uses the extended protocol.
  const run = <Row>(sql: string, params: ReadonlyArray<unknown>, rowMode: "object" | "array") =>
    Effect.tryPromise({
      try: async (): Promise<ReadonlyArray<Row>> => {
        if (params.length > 0) {
          const { rows } = await pglite.query<Row>(sql, [...params], { rowMode })
          await yieldToEventLoop()
          return rows
        }
        const results = await pglite.exec(sql, { rowMode })
        await yieldToEventLoop()
        // Like node-postgres: one statement's rows, or each statement's rows.
        return results.length === 1 ? results[0]!.rows as Array<Row> : results.map((result) => result.rows as Row)
      },
      catch: sqlError("Failed to execute statement")
    })

  const execute = (
    sql: string,
    params: ReadonlyArray<unknown>,
    transformRows: (<A extends object>(rows: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined
  ) => (transformRows
    ? Effect.map(run<object>(sql, params, "object"), transformRows)
    : run<object>(sql, params, "object"))

  return {
    execute,
    executeUnprepared: execute,
    executeValues: (sql, params) => run<ReadonlyArray<unknown>>(sql, params, "array"),
    executeRaw: (sql, params) =>
      Effect.tryPromise({
        try: (): Promise<unknown> => (params.length > 0 ? pglite.query(sql, [...params]) : pglite.exec(sql)),
        catch: sqlError("Failed to execute statement")
      }),
    executeStream: (sql, params, transformRows) => Stream.fromIterableEffect(execute(sql, params, transformRows))
  }
}

const openPglite = (options: PgliteClientOptions) =>
  Effect.gen(function*() {
    if (options.dataDir !== undefined) {
      const dataDir = options.dataDir
      yield* Effect.try({
        try: () => mkdirSync(dataDir, { recursive: true }),
        catch: sqlError(`Failed to create ${dataDir}`)
      })
      // Before PGlite touches a file; released after it closes (finalizers run in reverse).
      yield* lockDataDirectory(dataDir)
    }
    return yield* openEngine(options)
  })

const openEngine = (options: PgliteClientOptions) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const engineOptions = options.engineOptions === undefined ? {} : await options.engineOptions()
        return PGlite.create(options.dataDir, { ...engineOptions, parsers })
      },
      catch: sqlError(`Failed to open PGlite ${options.dataDir === undefined ? "in memory" : `at ${options.dataDir}`}`)
    }),
    // Someone holding the instance may have closed it already.
    (pglite) => Effect.promise(() => (pglite.closed ? Promise.resolve() : pglite.close()))
  )

export const make = (
  options: PgliteClientOptions
): Effect.Effect<PgliteClient, SqlError | DataDirectoryLocked, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function*() {
    const pglite = yield* openPglite(options)
    const connection = makeConnection(pglite)
    const permit = yield* Effect.makeSemaphore(1)

    // Holds the permit until the caller's scope closes: the statement's for a
    // single statement, the transaction's for BEGIN..COMMIT.
    const exclusive = Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(
        restore(permit.take(1)),
        Effect.addFinalizer(() => permit.release(1))
      )
    ).pipe(Effect.as(connection))

    const client = yield* SqlClient.make({
      acquirer: exclusive,
      transactionAcquirer: exclusive,
      // The server client's compiler: `$n` placeholders, the "pg" dialect, the same escaping.
      compiler: PgClient.makeCompiler(),
      spanAttributes: [["db.system.name", "postgresql"], ["db.namespace", options.dataDir ?? "memory"]]
    })
    return Object.assign(client, { pglite })
  })

const toContext = (client: PgliteClient) =>
  Context.make(PgliteClient, client).pipe(Context.add(SqlClient.SqlClient, client))

/** An embedded database: in memory without `dataDir`, persisted under it otherwise. Closed with the layer. */
export const layer = (
  options: PgliteClientOptions = {}
): Layer.Layer<PgliteClient | SqlClient.SqlClient, SqlError | DataDirectoryLocked> =>
  Layer.scopedContext(Effect.map(make(options), toContext)).pipe(Layer.provide(Reactivity.layer))

/** The data directory from `GUILDHALL_DATA_DIR`, `./.guildhall` by default. */
export const layerConfig: Layer.Layer<
  PgliteClient | SqlClient.SqlClient,
  SqlError | DataDirectoryLocked | ConfigError.ConfigError
> = Layer
  .unwrapEffect(
    Effect.map(
      Config.string("GUILDHALL_DATA_DIR").pipe(Config.withDefault("./.guildhall")),
      (dataDir) => layer({ dataDir })
    )
  )
