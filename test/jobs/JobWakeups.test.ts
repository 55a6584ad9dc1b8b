import { assert, layer } from "@effect/vitest"
import { DateTime, Deferred, Duration, Effect, Layer, Queue } from "effect"
import { asPlatform, JobsSql, JobWakeupsSql } from "../../adapters/postgres/index.js"
import { JobHandlers, Jobs, JobWakeups, JobWorker } from "../../core/index.js"
import { sqlDatabases } from "../support/stores.js"

let keys = 0
const dueJob = (kind: string) =>
  Effect.map(DateTime.now, (now) => ({
    tenantId: null,
    kind,
    payload: null,
    runAt: now,
    idempotencyKey: `wakeup-test-${Date.now().toString(36)}-${++keys}`
  }))

for (const database of await sqlDatabases()) {
  const stores = Layer.mergeAll(JobsSql, JobWakeupsSql).pipe(Layer.provideMerge(database.layer()))

  layer(stores, { timeout: 60_000, excludeTestServices: true })(`JobWakeups on ${database.name}`, (it) => {
    it.effect("enqueuing a due job signals every subscriber", () =>
      Effect.gen(function*() {
        const wakeups = yield* JobWakeups
        const [first, second] = [yield* wakeups.subscribe, yield* wakeups.subscribe]
        yield* Effect.flatMap(Jobs, (jobs) => Effect.flatMap(dueJob("test.Signal"), (job) => jobs.enqueue([job])))
        yield* Queue.take(first)
        yield* Queue.take(second)
      }).pipe(Effect.scoped))

    // With an hour between polls, only the wake-up can start the job; a wake-up sent before the commit
    // would find nothing to claim and leave the worker asleep for that hour.
    it.effect("an idle worker runs a job as soon as the transaction that enqueued it commits", () =>
      Effect.gen(function*() {
        const ran = yield* Deferred.make<string>()
        const job = yield* dueJob("test.Woken")
        yield* JobWorker.run({ pollInterval: Duration.hours(1) }).pipe(
          Effect.provide(JobHandlers.layer({
            "test.Signal": () => Effect.void, // the previous test's job
            "test.Woken": (claimed) => Deferred.succeed(ran, claimed.idempotencyKey)
          })),
          Effect.forkScoped
        )
        // Let the worker's first (empty) round pass, so it is idle when the job arrives.
        yield* Effect.sleep(Duration.millis(200))
        const jobs = yield* Jobs
        yield* asPlatform(Effect.zipRight(jobs.enqueue([job]), Effect.sleep(Duration.millis(200))))
        assert.strictEqual(yield* Deferred.await(ran), job.idempotencyKey)
      }).pipe(Effect.scoped))
  })
}
