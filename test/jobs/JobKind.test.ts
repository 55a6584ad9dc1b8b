import { assert, describe, it } from "@effect/vitest"
import { Cause, DateTime, Effect, Exit, Layer, Ref, Schema } from "effect"
import { JobsMemory } from "../../adapters/memory/index.js"
import { type Job, JobHandlers, JobKind, Jobs, JobWorker, TenantId } from "../../core/index.js"

const Greeting = Schema.Struct({ name: Schema.String, at: Schema.DateTimeUtc })

const greet = (greeted: Ref.Ref<ReadonlyArray<string>>) =>
  JobKind.make({
    kind: "test.greet",
    payload: Greeting,
    handle: ({ name }) => Ref.update(greeted, (names) => [...names, name])
  })

const jobWith = (payload: unknown): Job => ({
  id: "job-1",
  tenantId: null,
  kind: "test.greet",
  payload,
  idempotencyKey: "k",
  status: "running",
  runAt: DateTime.unsafeMake(0),
  attempts: 1,
  maxAttempts: 10,
  lastError: null,
  lockedBy: "w",
  lockedUntil: null,
  createdAt: DateTime.unsafeMake(0),
  finishedAt: null
})

describe("JobKind", () => {
  it.effect("spec encodes the payload with the kind's schema; the worker runs it through the decoded payload", () =>
    Effect.gen(function*() {
      const greeted = yield* Ref.make<ReadonlyArray<string>>([])
      const kind = greet(greeted)
      const tenantId = TenantId.make("00000000-0000-4000-8000-000000000001")
      const at = DateTime.unsafeMake(1_000)
      const spec = kind.spec({
        tenantId,
        payload: { name: "Ada", at },
        runAt: DateTime.unsafeMake(0),
        idempotencyKey: "greet:ada",
        maxAttempts: 3
      })
      assert.deepStrictEqual(spec, {
        tenantId,
        kind: "test.greet",
        payload: { name: "Ada", at: DateTime.formatIso(at) },
        runAt: DateTime.unsafeMake(0),
        idempotencyKey: "greet:ada",
        maxAttempts: 3
      })

      yield* (yield* Jobs).enqueue([spec])
      yield* JobWorker.runOnce().pipe(Effect.provide(JobHandlers.layer(kind)))
      assert.deepStrictEqual(yield* Ref.get(greeted), ["Ada"])
    }).pipe(Effect.provide(JobsMemory)))

  it.effect("a payload that does not decode is a permanent failure naming the kind", () =>
    Effect.gen(function*() {
      const greeted = yield* Ref.make<ReadonlyArray<string>>([])
      const failed = yield* Effect.flip(greet(greeted).run(jobWith({ name: 1 })))
      assert.isFalse(failed.retryable)
      assert.strictEqual(
        failed.message,
        "the test.greet job's payload does not decode; it was not written by this version"
      )
      assert.deepStrictEqual(yield* Ref.get(greeted), [])
    }))

  it.effect("JobHandlers.layer provides what the kinds need, once, and refuses two kinds with one name", () =>
    Effect.gen(function*() {
      const greeted = yield* Ref.make<ReadonlyArray<string>>([])
      class Greeter extends Effect.Tag("test/Greeter")<Greeter, { readonly prefix: string }>() {}
      const needsGreeter = JobKind.make({
        kind: "test.prefixed",
        payload: Greeting,
        handle: ({ name }) =>
          Effect.flatMap(Greeter.prefix, (prefix) => Ref.update(greeted, (n) => [...n, prefix + name]))
      })
      const handlers = yield* Effect.provide(
        JobHandlers,
        JobHandlers.layer(needsGreeter).pipe(Layer.provide(Layer.succeed(Greeter, { prefix: "Dr. " })))
      )
      yield* handlers.get("test.prefixed")!(jobWith({ name: "Who", at: "1970-01-01T00:00:00.000Z" }))
      assert.deepStrictEqual(yield* Ref.get(greeted), ["Dr. Who"])

      const twice = yield* Effect.exit(Effect.provide(JobHandlers, JobHandlers.layer(greet(greeted), greet(greeted))))
      assert.isTrue(Exit.isFailure(twice) && Cause.pretty(twice.cause).includes("two handlers for job kind test.greet"))
    }))
})
