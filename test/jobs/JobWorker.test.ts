import { assert, describe, it } from "@effect/vitest"
import {
  DateTime,
  Deferred,
  Duration,
  Effect,
  Exit,
  FastCheck as fc,
  Layer,
  Option,
  Ref,
  Scope,
  TestClock
} from "effect"
import { JobsMemory } from "../../adapters/memory/index.js"
import { type Job, JobFailed, type JobHandler, type JobHandlers, Jobs, JobWorker, nextRunAt } from "../../core/index.js"
import { handlersOf } from "../support/jobHandlers.js"

const epoch = DateTime.unsafeMake(0)
const backoff = { base: Duration.seconds(1), cap: Duration.minutes(1) }
const worker = { workerId: "worker-1", backoff }

/** Runs `body` with a fresh memory store and these handlers. */
const withHandlers = (handlers: Record<string, JobHandler>) => <A, E>(body: Effect.Effect<A, E, Jobs | JobHandlers>) =>
  Effect.provide(body, Layer.merge(JobsMemory, handlersOf(handlers)))

let keys = 0
const enqueue = (kind: string, options: { readonly maxAttempts?: number; readonly runAt?: DateTime.Utc } = {}) =>
  Effect.gen(function*() {
    const jobs = yield* Jobs
    const idempotencyKey = `worker-test-${++keys}`
    yield* jobs.enqueue([{
      tenantId: null,
      kind,
      payload: { secret: "never logged" },
      runAt: options.runAt ?? epoch,
      idempotencyKey,
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts })
    }])
    return idempotencyKey
  })

const current = (key: string) =>
  Effect.flatMap(Jobs, (jobs) => jobs.findByIdempotencyKey(key)).pipe(Effect.map(Option.getOrThrow))

/** Moves the clock to the job's runAt. */
const untilDue = (job: Job) =>
  Effect.flatMap(
    TestClock.currentTimeMillis,
    (now) => TestClock.adjust(Duration.millis(Math.max(0, DateTime.toEpochMillis(job.runAt) - now)))
  )

/** Fails its first `failures` runs (retryably), then succeeds; counts runs. */
const flaky = (failures: number, runs: Ref.Ref<number>, retryAfterMs: number | null = null): JobHandler => () =>
  Effect.flatMap(
    Ref.updateAndGet(runs, (n) => n + 1),
    (run) => run <= failures ? Effect.fail(JobFailed.retryable(`boom ${run}`, retryAfterMs)) : Effect.void
  )

describe("JobWorker", () => {
  it.effect("retries a failing job with backoff, then completes it", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      yield* Effect.gen(function*() {
        const key = yield* enqueue("test.Flaky", { maxAttempts: 5 })
        assert.strictEqual(yield* JobWorker.runOnce(worker), 1)
        const first = yield* current(key)
        assert.deepStrictEqual([first.status, first.attempts, first.lastError, first.lockedBy], [
          "pending",
          1,
          "boom 1",
          null
        ])
        // base 1 s for attempt 1, half of it jittered.
        const firstDelay = DateTime.toEpochMillis(first.runAt)
        assert.isTrue(firstDelay >= 500 && firstDelay <= 1_000, `${firstDelay}`)
        assert.strictEqual(yield* JobWorker.runOnce(worker), 0, "not due before its runAt")

        yield* untilDue(first)
        assert.strictEqual(yield* JobWorker.runOnce(worker), 1)
        const second = yield* current(key)
        const secondDelay = DateTime.toEpochMillis(second.runAt) - firstDelay
        assert.deepStrictEqual([second.status, second.attempts, second.lastError], ["pending", 2, "boom 2"])
        assert.isTrue(secondDelay >= 1_000 && secondDelay <= 2_000, `${secondDelay}`)

        yield* untilDue(second)
        assert.strictEqual(yield* JobWorker.runOnce(worker), 1)
        const done = yield* current(key)
        assert.deepStrictEqual([done.status, done.attempts], ["done", 3])
        assert.deepStrictEqual(done.finishedAt, second.runAt)
        assert.strictEqual(yield* Ref.get(runs), 3)
      }).pipe(withHandlers({ "test.Flaky": flaky(2, runs) }))
    }))

  it.effect("never retries sooner than the retry-after the effect reported", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      yield* Effect.gen(function*() {
        const key = yield* enqueue("test.RateLimited")
        yield* JobWorker.runOnce(worker)
        const job = yield* current(key)
        assert.deepStrictEqual(job.runAt, DateTime.unsafeMake(30_000))
        yield* TestClock.adjust("29999 millis")
        assert.strictEqual(yield* JobWorker.runOnce(worker), 0)
        yield* TestClock.adjust("1 millis")
        assert.strictEqual(yield* JobWorker.runOnce(worker), 1)
        assert.strictEqual((yield* current(key)).status, "done")
      }).pipe(withHandlers({ "test.RateLimited": flaky(1, runs, 30_000) }))
    }))

  it.effect("dead-letters a job whose attempts are used up, keeping the last error", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      yield* Effect.gen(function*() {
        const key = yield* enqueue("test.Broken", { maxAttempts: 3 })
        for (let attempt = 1; attempt <= 3; attempt++) {
          yield* untilDue(yield* current(key))
          assert.strictEqual(yield* JobWorker.runOnce(worker), 1)
        }
        const dead = yield* current(key)
        assert.deepStrictEqual([dead.status, dead.attempts, dead.lastError], [
          "dead",
          3,
          "attempts exhausted: boom 3"
        ])
        const jobs = yield* Jobs
        assert.deepStrictEqual(
          (yield* jobs.list({ status: "dead", kind: "test.Broken", limit: 10 })).map((job) => job.idempotencyKey),
          [key]
        )
        yield* TestClock.adjust("1 day")
        assert.strictEqual(yield* JobWorker.runOnce(worker), 0)
        assert.strictEqual(yield* Ref.get(runs), 3)
      }).pipe(withHandlers({ "test.Broken": flaky(Infinity, runs) }))
    }))

  it.effect("dead-letters a permanent failure at once", () =>
    Effect.gen(function*() {
      const key = yield* enqueue("test.Forbidden", { maxAttempts: 5 })
      assert.strictEqual(yield* JobWorker.runOnce(worker), 1)
      const dead = yield* current(key)
      assert.deepStrictEqual([dead.status, dead.attempts, dead.lastError], [
        "dead",
        1,
        "missing_permissions: move the bot's role up"
      ])
    }).pipe(withHandlers({
      "test.Forbidden": () => Effect.fail(JobFailed.permanent("missing_permissions: move the bot's role up"))
    })))

  it.effect("dead-letters a job of a kind no handler runs", () =>
    Effect.gen(function*() {
      const key = yield* enqueue("test.Nobody")
      assert.strictEqual(yield* JobWorker.runOnce(worker), 1)
      const dead = yield* current(key)
      assert.deepStrictEqual([dead.status, dead.lastError], ["dead", "no handler for job kind test.Nobody"])
    }).pipe(withHandlers({})))

  it.effect("retries a job whose handler died, keeping the defect's message", () =>
    Effect.gen(function*() {
      const key = yield* enqueue("test.Defect")
      assert.strictEqual(yield* JobWorker.runOnce(worker), 1)
      const job = yield* current(key)
      assert.deepStrictEqual([job.status, job.attempts, job.lastError], ["pending", 1, "defect: kaboom"])
    }).pipe(withHandlers({ "test.Defect": () => Effect.die(new Error("kaboom")) })))

  it.effect("dead-letters a job claimed again after its worker stopped during the last attempt", () =>
    Effect.gen(function*() {
      const jobs = yield* Jobs
      const key = yield* enqueue("test.Fine", { maxAttempts: 1 })
      // A worker that claims and never finishes.
      yield* jobs.claim({ workerId: "crashed", limit: 1, now: epoch, lease: Duration.minutes(5) })
      yield* TestClock.adjust("5 minutes")
      assert.strictEqual(yield* JobWorker.runOnce(worker), 1)
      const dead = yield* current(key)
      assert.deepStrictEqual([dead.status, dead.attempts], ["dead", 2])
      assert.match(dead.lastError ?? "", /^attempts exhausted/)
    }).pipe(withHandlers({ "test.Fine": () => Effect.void })))

  it.effect("handles a batch with the concurrency asked for, no more", () =>
    Effect.gen(function*() {
      const inFlight = yield* Ref.make(0)
      const most = yield* Ref.make(0)
      const gate = yield* Deferred.make<void>()
      const handlers = handlersOf({
        "test.Parallel": () =>
          Ref.updateAndGet(inFlight, (n) => n + 1).pipe(
            Effect.tap((n) => Ref.update(most, (m) => Math.max(m, n))),
            Effect.tap((n) => n === 2 ? Deferred.succeed(gate, undefined) : Effect.void),
            // The first two wait for each other: with concurrency 1 the batch would never finish.
            Effect.zipRight(Deferred.await(gate)),
            Effect.zipRight(Ref.update(inFlight, (n) => n - 1))
          )
      })
      yield* Effect.gen(function*() {
        const keys = [yield* enqueue("test.Parallel"), yield* enqueue("test.Parallel"), yield* enqueue("test.Parallel")]
        assert.strictEqual(yield* JobWorker.runOnce({ ...worker, concurrency: 2 }), 3)
        assert.strictEqual(yield* Ref.get(most), 2)
        for (const key of keys) assert.strictEqual((yield* current(key)).status, "done")
      }).pipe(Effect.provide(Layer.merge(JobsMemory, handlers)))
    }))

  it.effect("as a layer, polls for due jobs; stopping lets a started job finish and hands back the batch's others", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const gate = yield* Deferred.make<void>()
      const finished = yield* Ref.make(false)
      const handlers = handlersOf({
        "test.Slow": () =>
          Deferred.succeed(started, undefined).pipe(
            Effect.zipRight(Deferred.await(gate)),
            Effect.zipRight(Ref.set(finished, true))
          )
      })
      yield* Effect.gen(function*() {
        const key = yield* enqueue("test.Slow", { runAt: DateTime.unsafeMake(10_000) })
        const notStarted = yield* enqueue("test.Slow", { runAt: DateTime.unsafeMake(10_000) })
        const scope = yield* Scope.make()
        yield* Layer.buildWithScope(JobWorker.layer({ ...worker, pollInterval: "1 second" }), scope)
        yield* TestClock.adjust("10 seconds")
        yield* Deferred.await(started)
        const stopping = yield* Effect.fork(Scope.close(scope, Exit.void))
        yield* Deferred.succeed(gate, undefined)
        yield* stopping.await
        assert.isTrue(yield* Ref.get(finished))
        assert.strictEqual((yield* current(key)).status, "done")
        // Claimed in the same batch but not started: handed back now rather than when its lease expires.
        const handedBack = yield* current(notStarted)
        assert.deepStrictEqual(
          [handedBack.status, handedBack.runAt, handedBack.lockedBy, handedBack.lastError],
          ["pending", DateTime.unsafeMake(10_000), null, "its worker stopped before running it"]
        )
      }).pipe(Effect.provide(Layer.merge(JobsMemory, handlers)))
    }))
})

describe("Backoff.nextRunAt", () => {
  const delayOf = (options: { attempt: number; random: number; retryAfterMs?: number | null }) =>
    DateTime.toEpochMillis(
      nextRunAt({ now: epoch, retryAfterMs: null, base: "1 second", cap: "1 hour", ...options })
    )

  it("doubles from the base, keeping half the delay and jittering the other half", () => {
    assert.deepStrictEqual([1, 2, 3, 4].map((attempt) => delayOf({ attempt, random: 0 })), [500, 1_000, 2_000, 4_000])
    assert.deepStrictEqual([1, 2, 3, 4].map((attempt) => delayOf({ attempt, random: 1 })), [
      1_000,
      2_000,
      4_000,
      8_000
    ])
    assert.strictEqual(delayOf({ attempt: 2, random: 0.5 }), 1_500)
  })

  it("is capped, however many attempts", () => {
    assert.strictEqual(delayOf({ attempt: 13, random: 1 }), 3_600_000)
    assert.strictEqual(delayOf({ attempt: 5_000, random: 0 }), 1_800_000)
  })

  it("waits at least the retry-after the effect reported", () => {
    assert.strictEqual(delayOf({ attempt: 1, random: 1, retryAfterMs: 45_000 }), 45_000)
    assert.strictEqual(delayOf({ attempt: 20, random: 1, retryAfterMs: 45_000 }), 3_600_000)
  })

  it.prop(
    "lies between half the capped exponential delay and all of it, and never before retry-after",
    [
      fc.integer({ min: 1, max: 100 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: null })
    ],
    ([attempt, random, retryAfterMs]) => {
      const delay = delayOf({ attempt, random, retryAfterMs })
      const full = Math.min(3_600_000, 1_000 * 2 ** (attempt - 1))
      assert.isTrue(delay >= Math.max(full / 2, retryAfterMs ?? 0))
      assert.isTrue(delay <= Math.max(full, retryAfterMs ?? 0))
    }
  )
})
