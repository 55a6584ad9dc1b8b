import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { pgliteDatabase } from "../support/databases.js"

describe("PgliteClient and the event loop", () => {
  it.scopedLive("a long run of statements still lets timers fire", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      let fired = 0
      const timer = setInterval(() => fired++, 10)
      const started = Date.now()
      // Sequential statements for at least 300 ms.
      while (Date.now() - started < 300) yield* sql`SELECT 1`
      clearInterval(timer)
      // Without yielding, the interval cannot fire at all until the loop ends.
      assert.isAtLeast(fired, 5)
    }).pipe(Effect.provide(Layer.orDie(pgliteDatabase()))))
})
