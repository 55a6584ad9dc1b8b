import { SqlClient } from "@effect/sql"
import { assert, layer } from "@effect/vitest"
import { DateTime, Deferred, Duration, Effect, Fiber, Layer, Option, Queue, Ref } from "effect"
import { asPlatform, JobsSql, JobWakeupsSql, RepositoriesSql } from "../../adapters/postgres/index.js"
import { wakeUpAfterCommit } from "../../adapters/postgres/JobsSql.js"
import {
  BillingLedger,
  Jobs,
  JobWakeups,
  JobWorker,
  PlanKey,
  SubscriptionState,
  type TenantPlanSubject,
  TenantRepo
} from "../../core/index.js"
import { at, makeTenant } from "../support/fixtures.js"
import { handlersOf } from "../support/jobHandlers.js"
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
          Effect.provide(handlersOf({
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

  // BillingLedgerSql owns its transaction, so it wakes workers after the commit instead of sending a NOTIFY
  // in it (ADR 088): every notifying commit would otherwise wait for Postgres's notify lock.
  const ledgerStores = Layer.mergeAll(RepositoriesSql, JobWakeupsSql).pipe(Layer.provideMerge(database.layer()))

  layer(ledgerStores, { timeout: 60_000, excludeTestServices: true })(`BillingLedgerSql on ${database.name}`, (it) => {
    it.effect("an idle worker runs a job of a recorded event as soon as the event's transaction commits", () =>
      Effect.gen(function*() {
        const tenant = makeTenant({ planKey: "enterprise" })
        yield* (yield* TenantRepo).insert(tenant)
        const subject: TenantPlanSubject = { _tag: "TenantPlan", tenantId: tenant.id, planKey: PlanKey.make("pro") }
        const ran = yield* Deferred.make<string>()
        yield* JobWorker.run({ pollInterval: Duration.hours(1) }).pipe(
          Effect.provide(handlersOf({ "billing.Test": (job) => Deferred.succeed(ran, job.idempotencyKey) })),
          Effect.forkScoped
        )
        yield* Effect.sleep(Duration.millis(200))
        const state = SubscriptionState.make({
          subject,
          status: "active",
          provider: "stripe",
          correlationId: "sub_wake",
          customerId: null,
          planKey: subject.planKey,
          currentPeriodEnd: null,
          cancelAtPeriodEnd: false,
          version: 1,
          revision: 1,
          roleGranted: false,
          readOnly: false,
          graceEndsAt: null,
          readOnlyEndsAt: null,
          updatedAt: at(1)
        })
        const job = { tenantId: tenant.id, kind: "billing.Test", payload: null, runAt: at(0), idempotencyKey: "wake:1" }
        const outcome = yield* (yield* BillingLedger).record({
          receipt: {
            provider: "stripe",
            providerEventId: "evt_wake_1",
            type: "customer.subscription.created",
            tenantId: tenant.id,
            payload: "{}",
            receivedAt: at(1)
          },
          outcome: "applied",
          note: null,
          transition: Option.some({ subject, decide: () => ({ transition: { state, effects: [] }, jobs: [job] }) }),
          jobs: []
        })
        assert.strictEqual(outcome, "recorded")
        const woken = yield* Deferred.await(ran).pipe(Effect.timeout(Duration.seconds(10)))
        assert.strictEqual(woken, "wake:1")
      }).pipe(Effect.scoped))

    it.effect("wake-ups asked for together are sent as one NOTIFY, or two when one is already under way", () =>
      Effect.gen(function*() {
        const wakeups = yield* JobWakeups
        const heard = yield* Ref.make(0)
        const signals = yield* wakeups.subscribe
        const counting = yield* Queue.take(signals).pipe(
          Effect.zipRight(Ref.update(heard, (n) => n + 1)),
          Effect.forever,
          Effect.fork
        )
        const { wake } = yield* wakeUpAfterCommit(yield* SqlClient.SqlClient)
        yield* Effect.forEach(Array.from({ length: 100 }), () => wake, { discard: true })
        yield* Effect.sleep(Duration.millis(500))
        yield* Fiber.interrupt(counting)
        const count = yield* Ref.get(heard)
        assert.isTrue(count >= 1 && count <= 2, `${count} wake-ups heard for 100 asked at once`)
      }).pipe(Effect.scoped))
  })
}
