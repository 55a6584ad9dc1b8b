import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { NotReady, Readiness } from "../../core/index.js"
import { apiClient, makeTestServer, TestServer } from "./harness.js"

const NotReadyStore = Layer.succeed(
  Readiness,
  Readiness.of({
    check: Effect.fail(new NotReady({ component: "database", message: "The database does not answer" }))
  })
)

describe("health", () => {
  it.effect("live and ready answer 200 without a key", () =>
    Effect.gen(function*() {
      const client = yield* apiClient()
      assert.deepStrictEqual(yield* client.health.live(), { status: "live" })
      assert.deepStrictEqual(yield* client.health.ready(), { status: "ready" })
    }).pipe(Effect.provide(TestServer)))

  it.effect("ready answers 503 with the reason when the store does not answer", () =>
    Effect.gen(function*() {
      const live = yield* HttpClient.get("/health/live")
      assert.strictEqual(live.status, 200)
      const ready = yield* HttpClient.get("/health/ready")
      assert.strictEqual(ready.status, 503)
      assert.deepStrictEqual(yield* ready.json, {
        _tag: "NotReady",
        component: "database",
        message: "The database does not answer"
      })
    }).pipe(Effect.provide(makeTestServer(NotReadyStore))))
})
