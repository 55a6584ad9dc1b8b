import { SqlClient } from "@effect/sql"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { PgliteClient, ReadinessSql } from "../../adapters/postgres/index.js"
import { NotReady, Readiness } from "../../core/index.js"
import { emptyPgliteDatabase } from "../support/databases.js"

describe("PgliteClient", () => {
  it.live("a failing transaction in one fiber does not roll back another fiber's writes", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`CREATE TABLE notes (body text NOT NULL)`
      const failing = sql.withTransaction(
        Effect.gen(function*() {
          yield* sql`INSERT INTO notes VALUES (${"rolled back"})`
          yield* Effect.sleep("50 millis") // the other fiber runs meanwhile
          return yield* Effect.fail("abort")
        })
      )
      const other = Effect.gen(function*() {
        yield* Effect.sleep("10 millis")
        yield* sql`INSERT INTO notes VALUES (${"outside a transaction"})`
        yield* sql.withTransaction(sql`INSERT INTO notes VALUES (${"own transaction"})`)
      })
      const [failed] = yield* Effect.all([Effect.exit(failing), other], { concurrency: "unbounded" })
      assert.isTrue(Exit.isFailure(failed))
      const notes = yield* sql<{ body: string }>`SELECT body FROM notes ORDER BY body`
      assert.deepStrictEqual(notes.map((note) => note.body), ["outside a transaction", "own transaction"])
    }).pipe(Effect.provide(emptyPgliteDatabase())))

  layer(emptyPgliteDatabase())((it) => {
    it.effect("parameterless SQL may hold several statements; values come back parsed", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE kinds (at timestamptz, doc jsonb, id uuid, big bigint); CREATE INDEX ON kinds (at)`
        yield* sql`INSERT INTO kinds VALUES (${"2026-01-02T03:04:05.678Z"}, ${JSON.stringify({ a: [1] })}::jsonb,
          ${"0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b"}, ${"9007199254740993"})`
        const [row] = yield* sql<{ at: Date; doc: unknown; id: string; big: string }>`SELECT * FROM kinds`
        assert.deepStrictEqual(row, {
          at: new Date("2026-01-02T03:04:05.678Z"),
          doc: { a: [1] },
          id: "0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b",
          big: "9007199254740993"
        })
      }))
  })

  it.effect("Readiness reports NotReady, saying what failed, once the database is gone", () =>
    Effect.gen(function*() {
      const { pglite } = yield* PgliteClient.PgliteClient
      const readiness = yield* Readiness
      yield* readiness.check
      yield* Effect.promise(() => pglite.close())
      const error = yield* Effect.flip(readiness.check)
      assert.instanceOf(error, NotReady)
      assert.match(error.message, /did not answer SELECT 1/)
    }).pipe(Effect.provide(ReadinessSql.pipe(Layer.provideMerge(emptyPgliteDatabase())))))
})
