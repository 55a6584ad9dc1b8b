import { SqlClient } from "@effect/sql"
import { assert, describe, layer } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option, Schedule } from "effect"
import { randomBytes } from "node:crypto"
import { BillingLedgerSql, JobsSql, RepositoriesSql } from "../../adapters/postgres/index.js"
import {
  BillingLedger,
  Jobs,
  PlanKey,
  type SubscriptionState,
  type TenantPlanSubject,
  TenantRepo
} from "../../core/index.js"
import { serverAvailable, serverDatabase } from "../support/databases.js"
import { at, makeTenant, nextActivePlanDecision } from "../support/fixtures.js"

/**
 * The race BillingLedgerSql must survive: several events create the same
 * subscription at once. The test makes it happen every time: a transaction
 * holds the tenant's row, so each event inserts its receipt, finds no
 * subscription, decides from nothing and then waits to insert it (on the
 * foreign key's lock, or on the first inserter's row). Only once all of them
 * wait is the tenant released. PGlite runs one transaction at a time, so the
 * race exists only on the server.
 */

const applicationName = `guildhall-billing-race-${randomBytes(4).toString("hex")}`

const stores = Layer.mergeAll(RepositoriesSql, BillingLedgerSql.pipe(Layer.provideMerge(JobsSql))).pipe(
  Layer.provideMerge(serverDatabase({ applicationName }))
)

const events = 5

/** Sessions of this file's pool waiting for a lock. */
const waitingSessions = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ n: number }>`
    SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE application_name = ${applicationName} AND wait_event_type = 'Lock'
  `).pipe(Effect.map(([row]) => row!.n))

if (await serverAvailable()) {
  describe("BillingLedgerSql on the Postgres server", () => {
    layer(stores, { timeout: 60_000, excludeTestServices: true })((it) => {
      it.effect("events racing to create one subscription all apply, each deciding again from the winner's state", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const ledger = yield* BillingLedger
          const tenant = makeTenant({ planKey: "enterprise" })
          yield* (yield* TenantRepo).insert(tenant)
          const subject: TenantPlanSubject = { _tag: "TenantPlan", tenantId: tenant.id, planKey: PlanKey.make("pro") }

          const seen = Array.from({ length: events }, () => [] as Array<Option.Option<SubscriptionState>>)
          const request = (n: number) => ({
            receipt: {
              provider: "stripe" as const,
              providerEventId: `evt_race_${n}`,
              type: "customer.subscription.updated",
              tenantId: tenant.id,
              payload: "{}",
              receivedAt: at(n)
            },
            outcome: "applied" as const,
            note: null,
            transition: Option.some({
              subject,
              decide: (current: Option.Option<SubscriptionState>) => {
                seen[n]!.push(current)
                return nextActivePlanDecision(subject, current, "sub_race", () => `race:${n}`)
              }
            }),
            jobs: []
          })

          const locked = yield* Deferred.make<void>()
          const release = yield* Deferred.make<void>()
          const holder = yield* sql.withTransaction(
            sql`SELECT 1 FROM tenants WHERE id = ${tenant.id} FOR UPDATE`.pipe(
              Effect.zipRight(Deferred.succeed(locked, undefined)),
              Effect.zipRight(Deferred.await(release))
            )
          ).pipe(Effect.fork)
          yield* Deferred.await(locked)

          const recording = yield* Effect.forEach(
            Array.from({ length: events }, (_, n) => n),
            (n) => ledger.record(request(n)),
            { concurrency: "unbounded" }
          ).pipe(Effect.fork)
          yield* waitingSessions.pipe(
            Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (waiting) => waiting >= events }),
            Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => new Error("the events never all waited") })
          )
          yield* Deferred.succeed(release, undefined)
          yield* Fiber.join(holder)

          assert.deepStrictEqual(yield* Fiber.join(recording), seen.map(() => "recorded"))
          // Every event decided from nothing first; all but the winner decided again from the stored state.
          assert.isTrue(seen.every((calls) => Option.isNone(calls[0]!)))
          assert.strictEqual(seen.filter((calls) => calls.length === 2).length, events - 1)
          const final = Option.getOrThrow(yield* ledger.findSubscription(tenant.id, "plan"))
          assert.strictEqual(final.revision, events)
          const lastSeenRevisions = seen.map((calls) =>
            Option.match(calls.at(-1)!, { onNone: () => 0, onSome: (state) => state.revision })
          )
          assert.deepStrictEqual(lastSeenRevisions.sort(), Array.from({ length: events }, (_, n) => n))
          const jobs = yield* (yield* Jobs).list({ status: "pending", tenantId: tenant.id, limit: 100 })
          assert.deepStrictEqual(
            jobs.map((job) => job.idempotencyKey).sort(),
            Array.from({ length: events }, (_, n) => `race:${n}`)
          )
        }))
    })
  })
}
