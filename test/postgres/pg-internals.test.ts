import { assert, describe, it } from "@effect/vitest"
import { createRequire } from "node:module"
import Pg from "pg"
import { serverAvailable, serverUrl } from "../support/databases.js"

/**
 * What RoundTrips.ts and PgServerClient.ts take from node-postgres beyond its
 * documented API (package.json pins pg to its minor line; a new minor must
 * pass this first): the client's socket at `connection.stream` with cork and
 * uncork, a pool that builds its clients with `new Client(poolOptions)` and
 * emits "release" with the client, and pipeline mode (`pipeline: true`), which
 * writes a query before the one before it is answered.
 */

const pgVersion = (createRequire(import.meta.url)("pg/package.json") as { version: string }).version

if (await serverAvailable()) {
  describe("node-postgres internals the client relies on", () => {
    it("is the minor line package.json pins", () => {
      assert.match(pgVersion, /^8\.23\./)
    })

    it("a connected client's socket is at connection.stream and can be corked", async () => {
      const client = new Pg.Client({ connectionString: serverUrl })
      await client.connect()
      try {
        const stream = (client as unknown as { connection: { stream: { cork: unknown; uncork: unknown } } })
          .connection.stream
        assert.isFunction(stream.cork)
        assert.isFunction(stream.uncork)
      } finally {
        await client.end()
      }
    })

    it("the pool passes its options to its Client class and emits release with the client", async () => {
      const seen: Array<unknown> = []
      class Recording extends Pg.Client {
        constructor(config: Pg.ClientConfig & { readonly marker?: string }) {
          super(config)
          seen.push(config.marker)
        }
      }
      const pool = new Pg.Pool(
        { connectionString: serverUrl, max: 1, Client: Recording, marker: "passed" } as unknown as Pg.PoolConfig
      )
      const released: Array<unknown> = []
      pool.on("release", (_error, client) => released.push(client))
      try {
        const client = await pool.connect()
        client.release()
        assert.deepStrictEqual(seen, ["passed"])
        assert.strictEqual(released[0], client)
      } finally {
        await pool.end()
      }
    })

    it("pipeline mode answers queries written together, in order, and an aborted transaction's", async () => {
      const client = new Pg.Client({ connectionString: serverUrl, pipeline: true } as Pg.ClientConfig)
      await client.connect()
      try {
        const answers = await Promise.allSettled([
          client.query("BEGIN"),
          client.query("SELECT 1 / $1::int AS n", [0]),
          client.query("SELECT 2 AS n"),
          client.query("ROLLBACK"),
          client.query("SELECT 3 AS n")
        ])
        assert.deepStrictEqual(answers.map((answer) => answer.status), [
          "fulfilled",
          "rejected",
          "rejected",
          "fulfilled",
          "fulfilled"
        ])
        const last = answers[4] as PromiseFulfilledResult<Pg.QueryResult>
        assert.deepStrictEqual(last.value.rows, [{ n: 3 }])
      } finally {
        await client.end()
      }
    })
  })
}
