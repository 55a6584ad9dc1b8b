import { SqlClient } from "@effect/sql"
import { assert, describe, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { PgServerClient } from "../../adapters/postgres/index.js"
import { serverAvailable, serverUrl } from "../support/databases.js"

/**
 * PgServerClient prepares every statement with parameters once per connection
 * (ADR 087), and leaves parameterless ones, which may hold several
 * statements, to the simple protocol. pg_prepared_statements lists what the
 * session holds; a transaction keeps one connection, so it sees its own.
 */

const preparedOnThisConnection = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements`
)

const marker = (tag: string) => `prepared_statements_test_${tag}`

if (await serverAvailable()) {
  describe("PgServerClient on the Postgres server", () => {
    layer(PgServerClient.layer({ url: Redacted.make(serverUrl), maxConnections: 2 }), { excludeTestServices: true })(
      "prepared statements on (the default)",
      (it) => {
        it.effect("a statement with parameters is prepared once per connection, then bound with new values", () =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const [results, prepared] = yield* Effect.gen(function*() {
              const first = yield* sql<{ n: number }>`SELECT ${41}::int + 1 AS n, ${marker("a")}::text AS tag`
              const second = yield* sql<{ n: number }>`SELECT ${1}::int + 1 AS n, ${marker("a")}::text AS tag`
              return [[first[0]!.n, second[0]!.n], yield* preparedOnThisConnection] as const
            }).pipe(sql.withTransaction)
            assert.deepStrictEqual(results, [42, 2])
            const ours = prepared.filter((row) => row.statement.includes("AS tag"))
            assert.strictEqual(ours.length, 1)
            assert.match(ours[0]!.name, /^guildhall_\d+$/)
          }))

        it.effect("different texts get different names; a parameterless script still runs as several statements", () =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const prepared = yield* Effect.gen(function*() {
              yield* sql`SELECT ${1}::int AS b, ${marker("b")}::text AS tag`
              yield* sql`SELECT ${1}::int AS c, ${marker("c")}::text AS tag`
              const script = yield* sql.unsafe("SELECT 1 AS one; SELECT 2 AS two")
              assert.strictEqual(script.length, 2)
              return yield* preparedOnThisConnection
            }).pipe(sql.withTransaction)
            const names = prepared.filter((row) => /AS (b|c), /.test(row.statement)).map((row) => row.name)
            assert.strictEqual(new Set(names).size, 2)
            assert.isFalse(prepared.some((row) => row.statement.includes("AS one")))
          }))

        it.effect("a failing prepared statement leaves the connection usable and the statement preparable", () =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const failed = yield* sql`SELECT 1 / ${0}::int AS d, ${marker("d")}::text AS tag`.pipe(Effect.flip)
            assert.match(String(failed.cause), /division by zero/)
            const rows = yield* sql<{ d: number }>`SELECT 1 / ${0}::int AS d, ${marker("d")}::text AS tag`.pipe(
              Effect.flip,
              Effect.zipRight(sql<{ d: number }>`SELECT 4 / ${2}::int AS d, ${marker("e")}::text AS tag`)
            )
            assert.strictEqual(rows[0]!.d, 2)
          }))
      }
    )

    layer(
      PgServerClient.layer({
        url: Redacted.make(serverUrl),
        maxConnections: 1,
        roundTripSavings: "all-but-prepared-statements"
      }),
      { excludeTestServices: true }
    )("prepared statements off (GUILDHALL_DB_ROUND_TRIP_SAVINGS=all-but-prepared-statements)", (it) => {
      it.effect("nothing is prepared on the connection", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const prepared = yield* Effect.gen(function*() {
            const rows = yield* sql<{ n: number }>`SELECT ${41}::int + 1 AS n, ${marker("off")}::text AS tag`
            assert.strictEqual(rows[0]!.n, 42)
            return yield* preparedOnThisConnection
          }).pipe(sql.withTransaction)
          assert.deepStrictEqual(prepared, [])
        }))
    })
  })
}
