import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { createServer, Socket } from "node:net"
import { asPlatform, PgServerClient, type RoundTripTricks } from "../../adapters/postgres/index.js"
import { inTenantStatement } from "../../adapters/postgres/TenantScope.js"
import { TenantId } from "../../core/index.js"
import { serverAvailable, serverUrl } from "../support/databases.js"

/**
 * Each round-trip saving of RoundTrips.ts (ADR 101) does what it claims: a
 * proxy between the pool and the server counts the client's writes (each
 * write the client makes waits for the server's answer unless pipelined), and
 * the results are the same with the trick off.
 */

/** A proxy to the server that counts the writes reaching it from the client. */
const countingProxy = Effect.acquireRelease(
  Effect.async<{ readonly port: number; readonly writes: () => number; readonly close: () => void }>((resume) => {
    const target = new URL(serverUrl)
    let writes = 0
    const sockets = new Set<Socket>()
    const server = createServer((client) => {
      const upstream = new Socket()
      sockets.add(client).add(upstream)
      client.on("error", () => upstream.destroy())
      upstream.on("error", () => client.destroy())
      upstream.connect(Number(target.port || 5432), target.hostname, () => {
        // Counted once piped: a listener before would consume what arrives before the upstream connects.
        client.pipe(upstream)
        client.on("data", () => writes++)
        upstream.pipe(client)
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resume(Effect.succeed({
        port,
        writes: () => writes,
        close: () => {
          for (const socket of sockets) socket.destroy()
          server.close()
        }
      }))
    })
  }),
  ({ close }) => Effect.sync(close)
)

const tricks = (overrides: Partial<RoundTripTricks>): RoundTripTricks => ({
  settingsWithBegin: false,
  pipelinedOpener: false,
  preparedStatements: false,
  oneStatementTransactions: false,
  ...overrides
})

/** `statement` run on a one-connection pool with `roundTripTricks`: its rows and the writes its second run took. */
const countedRun = <A>(
  roundTripTricks: RoundTripTricks,
  statement: Effect.Effect<A, unknown, SqlClient.SqlClient>
) =>
  Effect.gen(function*() {
    const proxy = yield* countingProxy
    const url = new URL(serverUrl)
    url.host = `127.0.0.1:${proxy.port}`
    const context = yield* Layer.build(
      PgServerClient.layer({ url: Redacted.make(url.toString()), maxConnections: 1, roundTripTricks })
    )
    const run = statement.pipe(Effect.provide(context))
    yield* run // connects (and prepares, with that trick) before counting
    const before = proxy.writes()
    const rows = yield* run
    return { rows, writes: proxy.writes() - before }
  }).pipe(Effect.scoped)

/** A transaction of TenantScope's (its opener carries settings) with one statement. */
const oneStatementTransaction = (roundTripTricks: RoundTripTricks) =>
  countedRun(
    roundTripTricks,
    asPlatform(Effect.flatMap(
      SqlClient.SqlClient,
      (sql) =>
        sql<{ platform: string; n: number }>`SELECT current_setting('app.platform') AS platform, ${41}::int + 1 AS n`
    ))
  )

const expectedRows = [{ platform: "on", n: 42 }]

/** The same statement as a one-statement transaction (inTenantStatement, as the ledger's first event runs). */
const oneStatementTransactionOfItsOwn = (roundTripTricks: RoundTripTricks) =>
  countedRun(
    roundTripTricks,
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) =>
        inTenantStatement(tenantId)(
          sql<{ tenant: string; n: number }>`SELECT current_setting('app.tenant_id') AS tenant, ${41}::int + 1 AS n`
        )
    )
  )

const tenantId = TenantId.make("0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b")

if (await serverAvailable()) {
  describe("RoundTrips on the Postgres server", () => {
    it.live("settings with BEGIN: the opener and its settings take one round trip, not two", () =>
      Effect.gen(function*() {
        const on = yield* oneStatementTransaction(tricks({ settingsWithBegin: true }))
        const off = yield* oneStatementTransaction(tricks({ settingsWithBegin: false }))
        assert.deepStrictEqual(on.rows, expectedRows)
        assert.deepStrictEqual(off.rows, expectedRows)
        // BEGIN with its settings, the statement, COMMIT; without the trick BEGIN and the settings apart.
        assert.strictEqual(on.writes, 3)
        assert.strictEqual(off.writes, 4)
      }))

    it.live("pipelined opener: the opener leaves with the first statement, one round trip fewer", () =>
      Effect.gen(function*() {
        const on = yield* oneStatementTransaction(tricks({ settingsWithBegin: true, pipelinedOpener: true }))
        const off = yield* oneStatementTransaction(tricks({ settingsWithBegin: true, pipelinedOpener: false }))
        assert.deepStrictEqual(on.rows, expectedRows)
        assert.deepStrictEqual(off.rows, expectedRows)
        assert.strictEqual(on.writes, 2)
        assert.strictEqual(off.writes, 3)
      }))

    it.live("prepared statements: the same rows and round trips, the statement parsed once per connection", () =>
      Effect.gen(function*() {
        const on = yield* oneStatementTransaction(tricks({ preparedStatements: true }))
        const off = yield* oneStatementTransaction(tricks({ preparedStatements: false }))
        assert.deepStrictEqual(on.rows, expectedRows)
        assert.deepStrictEqual(off.rows, expectedRows)
        assert.strictEqual(on.writes, off.writes)
        // That it is parsed once is test/postgres/prepared-statements.test.ts's (pg_prepared_statements).
      }))

    it.live("one-statement transactions: opener, statement and COMMIT leave together, one round trip", () =>
      Effect.gen(function*() {
        const base = { settingsWithBegin: true, pipelinedOpener: true, preparedStatements: true }
        const on = yield* oneStatementTransactionOfItsOwn(tricks({ ...base, oneStatementTransactions: true }))
        const off = yield* oneStatementTransactionOfItsOwn(tricks({ ...base, oneStatementTransactions: false }))
        const expected = [{ tenant: tenantId, n: 42 }]
        assert.deepStrictEqual(on.rows, expected)
        assert.deepStrictEqual(off.rows, expected)
        // Without it, the opener with the statement (the pipelined opener), then COMMIT.
        assert.deepStrictEqual([on.writes, off.writes], [1, 2])
      }))

    it.live("the switch: every saving together is two round trips, none four, with the same rows", () =>
      Effect.gen(function*() {
        const all = yield* oneStatementTransaction(
          tricks({ settingsWithBegin: true, pipelinedOpener: true, preparedStatements: true })
        )
        const none = yield* oneStatementTransaction(tricks({}))
        assert.deepStrictEqual(all.rows, none.rows)
        assert.deepStrictEqual([all.writes, none.writes], [2, 4])
      }))
  })
}
