import { SqlClient } from "@effect/sql"
import { assert, describe, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import Pg from "pg"
import { PgServerClient } from "../../adapters/postgres/index.js"

import { serverAvailable, serverUrl } from "../support/databases.js"

/**
 * PgServerClient answers a transaction's opener at once and sends it with the
 * transaction's next statement (ADR 089).
 * Another session watches the pool's one connection in pg_stat_activity:
 * while only the opener has been asked for, the server has not begun a
 * transaction.
 */

const applicationName = "guildhall_deferred_begin_test"

const observed = Effect.acquireRelease(
  Effect.promise(async () => {
    const client = new Pg.Client({ connectionString: serverUrl })
    await client.connect()
    return client
  }),
  (client) => Effect.promise(() => client.end())
).pipe(
  Effect.map((observer) =>
    Effect.promise(async () => {
      const { rows } = await observer.query<{ state: string }>(
        "SELECT state FROM pg_stat_activity WHERE application_name = $1",
        [applicationName]
      )
      return rows.map((row) => row.state)
    })
  )
)

if (await serverAvailable()) {
  describe("PgServerClient's transaction openers", () => {
    layer(PgServerClient.layer({ url: Redacted.make(serverUrl), maxConnections: 1, applicationName }), {
      excludeTestServices: true
    })("on the Postgres server", (it) => {
      it.scoped("BEGIN reaches the server with the transaction's first statement, not before", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const sessionStates = yield* observed
          const [beforeFirstStatement, afterIt] = yield* Effect.gen(function*() {
            const before = yield* sessionStates
            const [row] = yield* sql<{ one: number }>`SELECT ${1}::int AS one`
            assert.strictEqual(row!.one, 1)
            return [before, yield* sessionStates] as const
          }).pipe(sql.withTransaction)
          assert.deepStrictEqual(beforeFirstStatement, ["idle"])
          assert.deepStrictEqual(afterIt, ["idle in transaction"])
          assert.deepStrictEqual(yield* sessionStates, ["idle"])
        }))

      it.scoped("the statements after an opener that failed fail with the opener's error", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const connection = yield* sql.reserve
          yield* connection.executeUnprepared(
            "BEGIN; SELECT set_config('role', 'guildhall_no_such_role', true)",
            [],
            undefined
          )
          const failed = yield* Effect.flip(connection.executeUnprepared("SELECT 1 AS one", [], undefined))
          assert.match(String(failed.cause), /transaction could not be opened: .*guildhall_no_such_role/)
          const aborted = yield* Effect.flip(connection.executeUnprepared("SELECT 2 AS two", [], undefined))
          assert.match(String(aborted.cause), /current transaction is aborted/)
          yield* connection.executeUnprepared("ROLLBACK", [], undefined)
          const [row] = yield* connection.executeUnprepared("SELECT 3 AS three", [], undefined)
          assert.deepStrictEqual(row, { three: 3 })
        }))

      it.scoped("an opener no statement followed is dropped when its connection goes back to the pool", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const sessionStates = yield* observed
          yield* Effect.scoped(
            Effect.flatMap(sql.reserve, (connection) => connection.executeUnprepared("BEGIN", [], undefined))
          )
          // The same (only) connection: had the BEGIN been kept, this statement would open a transaction.
          yield* sql`SELECT ${1}::int AS one`
          assert.deepStrictEqual(yield* sessionStates, ["idle"])
        }))
    })
  })
}
