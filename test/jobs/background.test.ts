import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Fiber, HashMap, Layer, Logger, Option, Ref, TestClock } from "effect"
import { JobsMemory } from "../../adapters/memory/index.js"
import {
  BackgroundComponents,
  type ComponentHealth,
  JobHandlers,
  Jobs,
  JobWorker,
  Recurring,
  supervisedLoop
} from "../../core/index.js"
import { handlersOf } from "../support/jobHandlers.js"

/** The memory job store, whose worker statements die (as JobsSql's do on a lost connection) while `down` is set. */
const JobsWithOutage = (down: Ref.Ref<boolean>) =>
  Layer.effect(
    Jobs,
    Effect.map(Jobs, (jobs) => {
      const unlessDown = <A>(effect: Effect.Effect<A>) =>
        Effect.flatMap(Ref.get(down), (isDown) => isDown ? Effect.die(new Error("Connection terminated")) : effect)
      return Jobs.of({
        ...jobs,
        claim: (options) => unlessDown(jobs.claim(options)),
        complete: (id, workerId, now) => unlessDown(jobs.complete(id, workerId, now)),
        retry: (id, workerId, error, runAt) => unlessDown(jobs.retry(id, workerId, error, runAt))
      })
    })
  ).pipe(Layer.provide(JobsMemory))

let keys = 0
const enqueue = (kind: string) =>
  Effect.gen(function*() {
    const idempotencyKey = `background-test-${++keys}`
    const now = yield* DateTime.now
    yield* (yield* Jobs).enqueue([{ tenantId: null, kind, payload: null, runAt: now, idempotencyKey }])
    return idempotencyKey
  })

const statusOf = (key: string) =>
  Effect.flatMap(Jobs, (jobs) => jobs.findByIdempotencyKey(key)).pipe(
    Effect.map(Option.getOrThrow),
    Effect.map((job) => ({ status: job.status, attempts: job.attempts, lastError: job.lastError }))
  )

const component = (name: string) =>
  Effect.flatMap(BackgroundComponents, (registry) => registry.report).pipe(
    Effect.map((all) => all.find((entry) => entry.name === name)),
    Effect.map((found): ComponentHealth => {
      assert.isDefined(found, `${name} is registered`)
      return found!
    })
  )

/** Lets forked fibers run on the test clock: advance in small steps. */
const advance = (total: Duration.DurationInput, step: Duration.DurationInput = "100 millis") =>
  Effect.gen(function*() {
    const steps = Math.ceil(Duration.toMillis(total) / Duration.toMillis(step))
    for (let i = 0; i < steps; i++) yield* TestClock.adjust(step)
  })

const worker = { workerId: "worker-1", pollInterval: "100 millis", lease: "1 minute" } as const

describe("JobWorker survives failures (ADR 095)", () => {
  it.scoped("a handler that throws instead of returning an effect fails that job; the worker goes on", () =>
    Effect.gen(function*() {
      const thrower = yield* enqueue("test.Throws")
      const fine = yield* enqueue("test.Fine")
      yield* Layer.build(JobWorker.layer(worker))
      yield* advance("1 second")
      assert.deepStrictEqual(yield* statusOf(thrower), {
        status: "pending",
        attempts: 1,
        lastError: "defect: not an effect"
      })
      assert.strictEqual((yield* statusOf(fine)).status, "done")
      // Still running: a job enqueued afterwards is handled too.
      const later = yield* enqueue("test.Fine")
      yield* advance("1 second")
      assert.strictEqual((yield* statusOf(later)).status, "done")
    }).pipe(
      Effect.provide(Layer.merge(
        JobsMemory,
        handlersOf({
          "test.Throws": () => {
            throw new Error("not an effect")
          },
          "test.Fine": () => Effect.void
        })
      ))
    ))

  it.scoped("claims that die while the store is away are retried; jobs run once it is back; health follows", () =>
    Effect.gen(function*() {
      const down = yield* Ref.make(false)
      const runs = yield* Ref.make(0)
      yield* Effect.gen(function*() {
        const logs: Array<string> = []
        const capture = Logger.replace(
          Logger.defaultLogger,
          Logger.make(({ message }) => void logs.push(String(message)))
        )
        const before = yield* enqueue("test.Count")
        yield* Ref.set(down, true)
        yield* Layer.build(JobWorker.layer(worker)).pipe(Effect.provide(capture))
        yield* advance("10 seconds")
        assert.strictEqual((yield* statusOf(before)).status, "pending")
        const failing = yield* component("job worker")
        assert.strictEqual(failing.status, "degraded")
        assert.match(failing.detail, /Connection terminated/)
        assert.isTrue(logs.some((line) => /^job worker: a round failed; retrying in/.test(line)), logs.join("\n"))
        // Past its bound (the lease) without a successful round: down.
        yield* advance("1 minute", "1 second")
        assert.strictEqual((yield* component("job worker")).status, "down")

        yield* Ref.set(down, false)
        const after = yield* enqueue("test.Count")
        // The loop's backoff is capped at 5 s: both jobs run within it.
        yield* advance("6 seconds")
        assert.strictEqual((yield* statusOf(before)).status, "done")
        assert.strictEqual((yield* statusOf(after)).status, "done")
        assert.strictEqual(yield* Ref.get(runs), 2)
        assert.strictEqual((yield* component("job worker")).status, "up")
      }).pipe(
        Effect.provide(Layer.mergeAll(
          JobsWithOutage(down),
          BackgroundComponents.layer,
          handlersOf({ "test.Count": () => Ref.update(runs, (n) => n + 1) })
        ))
      )
    }))

  it.scoped("a job's outcome that cannot be written is written once the store is back; the job runs once", () =>
    Effect.gen(function*() {
      const down = yield* Ref.make(false)
      const runs = yield* Ref.make(0)
      yield* Effect.gen(function*() {
        const key = yield* enqueue("test.Count")
        yield* Layer.build(JobWorker.layer(worker))
        yield* advance("5 seconds")
        assert.strictEqual((yield* statusOf(key)).status, "running")
        yield* Ref.set(down, false)
        yield* advance("10 seconds")
        assert.strictEqual((yield* statusOf(key)).status, "done")
        assert.strictEqual(yield* Ref.get(runs), 1)
      }).pipe(
        Effect.provide(Layer.mergeAll(
          JobsWithOutage(down),
          // The store goes away while the job runs, before its outcome is written.
          handlersOf({
            "test.Count": () => Effect.zipRight(Ref.update(runs, (n) => n + 1), Ref.set(down, true))
          })
        ))
      )
    }))

  it.effect("a recurring job whose run dies still schedules the next slot", () =>
    Effect.gen(function*() {
      const recurring = Recurring.make({
        kind: "test.Sweep",
        every: Duration.minutes(1),
        work: Effect.die("sweep failed")
      })
      const handler = (yield* Effect.provide(JobHandlers, JobHandlers.layer(recurring))).get(recurring.kind)!
      const jobs = yield* Jobs
      const exit = yield* Effect.exit(handler({
        id: "1",
        tenantId: null,
        kind: recurring.kind,
        payload: { slot: 0 },
        idempotencyKey: "test.Sweep:0",
        status: "running",
        runAt: DateTime.unsafeMake(0),
        attempts: 1,
        maxAttempts: 10,
        lastError: null,
        lockedBy: "worker-1",
        lockedUntil: null,
        createdAt: DateTime.unsafeMake(0),
        finishedAt: null
      }))
      assert.isTrue(exit._tag === "Failure")
      assert.isTrue(Option.isSome(yield* jobs.findByIdempotencyKey("test.Sweep:1")))
    }).pipe(Effect.provide(JobsMemory)))
})

describe("supervisedLoop", () => {
  it.scoped("logs a failed round (failure or defect), backs off with jitter and goes on; health follows", () =>
    Effect.gen(function*() {
      const rounds = yield* Ref.make(0)
      const logs: Array<{ message: string; error: unknown }> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ annotations, message }) => {
          const text = Array.isArray(message) ? String(message[0]) : String(message)
          logs.push({ message: text, error: Option.getOrUndefined(HashMap.get(annotations, "error")) })
        })
      )
      const round = Effect.flatMap(Ref.updateAndGet(rounds, (n) => n + 1), (n) => {
        if (n === 1) return Effect.fail(new Error("the store is away"))
        if (n === 2) return Effect.die(new Error("a bug in the round"))
        return Effect.sleep("10 seconds")
      })
      const loop = yield* supervisedLoop(
        { name: "test poller", staleAfter: "30 seconds", backoff: { base: "2 seconds", cap: "10 seconds" } },
        () => round
      ).pipe(Effect.provide(capture), Effect.forkScoped)

      yield* TestClock.adjust("0 millis")
      assert.strictEqual(yield* Ref.get(rounds), 1)
      assert.strictEqual((yield* component("test poller")).status, "degraded")
      assert.match((yield* component("test poller")).detail, /the store is away/)
      // Backoff after failure 1: between 1 s and 2 s; nothing runs sooner.
      yield* TestClock.adjust("999 millis")
      assert.strictEqual(yield* Ref.get(rounds), 1)
      yield* TestClock.adjust("1001 millis")
      assert.strictEqual(yield* Ref.get(rounds), 2)
      assert.match((yield* component("test poller")).detail, /2 in a row\): a bug in the round/)
      // After failure 2: between 2 s and 4 s.
      yield* TestClock.adjust("4 seconds")
      assert.strictEqual(yield* Ref.get(rounds), 3)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* component("test poller")).status, "up")
      assert.deepStrictEqual(
        logs.filter((line) => line.message.startsWith("test poller: a round failed")).map((line) => line.error),
        ["the store is away", "a bug in the round"]
      )

      // Stopped on purpose (its scope closed): no longer reported.
      yield* Fiber.interrupt(loop)
      assert.deepStrictEqual(yield* Effect.flatMap(BackgroundComponents, (registry) => registry.report), [])
    }).pipe(Effect.provide(BackgroundComponents.layer)))

  it.scoped("a component without a success within its bound is down, saying so", () =>
    Effect.gen(function*() {
      yield* supervisedLoop({ name: "stuck", staleAfter: "1 minute" }, () => Effect.never).pipe(Effect.forkScoped)
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual((yield* component("stuck")).status, "up")
      yield* TestClock.adjust("2 seconds")
      const stuck = yield* component("stuck")
      assert.deepStrictEqual([stuck.status, stuck.detail], ["down", "no successful round yet (bound 1m)"])
    }).pipe(Effect.provide(BackgroundComponents.layer)))
})
