import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { ReadinessMemory } from "../../adapters/memory/index.js"
import { BackgroundComponents, NotReady, Readiness } from "../../core/index.js"
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
      const ready = yield* client.health.ready()
      assert.strictEqual(ready.status, "ready")
      assert.deepStrictEqual(ready.components.map(({ detail, name, status }) => ({ name, status, detail })), [
        { name: "database", status: "up", detail: "answers" }
      ])
    }).pipe(Effect.provide(TestServer)))

  it.effect("ready lists each background component; one down (stopped, or stuck past its bound) answers 503", () =>
    Effect.gen(function*() {
      const registry = yield* BackgroundComponents
      const worker = yield* registry.register("job worker", { staleAfter: "5 minutes" })
      const poller = yield* registry.register("white-label poller", { staleAfter: "3 minutes" })
      yield* worker.failed("Connection terminated unexpectedly")
      yield* poller.succeeded()
      const degraded = yield* HttpClient.get("/health/ready")
      assert.strictEqual(degraded.status, 200, "failing but within its bound")
      const components = ((yield* degraded.json) as { components: ReadonlyArray<{ name: string; status: string }> })
        .components
      assert.deepStrictEqual(components.map(({ name, status }) => [name, status]), [
        ["database", "up"],
        ["job worker", "degraded"],
        // The guardrail's policy cache listens for policy changes in every runtime.
        ["policy cache invalidation", "up"],
        ["white-label poller", "up"]
      ])

      yield* TestClock.adjust("4 minutes")
      yield* poller.succeeded()
      const stuck = yield* HttpClient.get("/health/ready")
      assert.strictEqual(stuck.status, 200, "the job worker's bound is 5 minutes")
      yield* TestClock.adjust("2 minutes")
      const down = yield* HttpClient.get("/health/ready")
      assert.strictEqual(down.status, 503)
      const body = (yield* down.json) as {
        _tag: string
        component: string
        message: string
        components: ReadonlyArray<{ name: string; status: string }>
      }
      assert.deepStrictEqual([body._tag, body.component], ["NotReady", "job worker"])
      assert.match(
        body.message,
        /^no successful round yet \(bound 5m\); last error \(1 in a row\): Connection terminated/
      )
      assert.deepStrictEqual(body.components.map(({ name, status }) => [name, status]), [
        ["database", "up"],
        ["job worker", "down"],
        ["policy cache invalidation", "up"],
        ["white-label poller", "up"]
      ])

      yield* worker.succeeded()
      yield* poller.succeeded()
      assert.strictEqual((yield* HttpClient.get("/health/ready")).status, 200, "recovers")
      yield* poller.stopped("interrupted")
      assert.strictEqual((yield* HttpClient.get("/health/ready")).status, 503, "a stopped component is down")
    }).pipe(Effect.provide(makeTestServer(ReadinessMemory).pipe(Layer.provideMerge(BackgroundComponents.layer)))))

  it.effect("ready answers 503 with the reason when the store does not answer", () =>
    Effect.gen(function*() {
      const live = yield* HttpClient.get("/health/live")
      assert.strictEqual(live.status, 200)
      const ready = yield* HttpClient.get("/health/ready")
      assert.strictEqual(ready.status, 503)
      assert.deepStrictEqual(yield* ready.json, {
        _tag: "NotReady",
        component: "database",
        message: "The database does not answer",
        components: [{ name: "database", status: "down", detail: "The database does not answer", lastSuccessAt: null }]
      })
    }).pipe(Effect.provide(makeTestServer(NotReadyStore))))
})
