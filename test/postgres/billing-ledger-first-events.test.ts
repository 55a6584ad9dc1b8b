import { assert, layer } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import { BillingLedgerSql, OneStatementTransaction, RepositoriesSql } from "../../adapters/postgres/index.js"

import {
  BillingLedger,
  Jobs,
  PlanKey,
  type RecordRequest,
  type TenantPlanSubject,
  TenantRepo
} from "../../core/index.js"
import { serverAvailable, serverDatabase } from "../support/databases.js"
import { at, makeTenant, nextActivePlanDecision } from "../support/fixtures.js"
import { sqlDatabases } from "../support/stores.js"

/**
 * BillingLedgerSql decides an event ahead as its subscription's first when it
 * has not seen that subscription (ADR 090). Another replica (a second
 * BillingLedgerSql on the same database) has seen nothing, so a re-delivery it
 * receives, or an event for a subscription the first one created, is decided
 * ahead there, and the statement must overrule that decision.
 */

const planEvent = (subject: TenantPlanSubject, eventId: string, decided: Array<Option.Option<number>>) =>
  ({
    receipt: {
      provider: "stripe",
      providerEventId: eventId,
      type: "customer.subscription.updated",
      tenantId: subject.tenantId,
      payload: "{}",
      receivedAt: at(1)
    },
    outcome: "applied",
    note: null,
    transition: Option.some({
      subject,
      decide: (current) => {
        decided.push(Option.map(current, (state) => state.revision))
        return nextActivePlanDecision(subject, current, "sub_replicas", (revision) => `${eventId}:revision-${revision}`)
      }
    }),
    jobs: []
  }) satisfies RecordRequest

for (const database of await sqlDatabases()) {
  layer(RepositoriesSql.pipe(Layer.provideMerge(database.layer())), { timeout: 60_000, excludeTestServices: true })(
    `BillingLedgerSql's first events on ${database.name}`,
    (it) => {
      it.scoped("a replica that decided ahead is overruled by a receipt seen before and by a row it had not seen", () =>
        Effect.gen(function*() {
          const here = yield* BillingLedger
          const there = Context.get(yield* Layer.build(BillingLedgerSql), BillingLedger)
          const tenant = makeTenant({ planKey: "enterprise" })
          yield* (yield* TenantRepo).insert(tenant)
          const subject: TenantPlanSubject = { _tag: "TenantPlan", tenantId: tenant.id, planKey: PlanKey.make("pro") }

          const first: Array<Option.Option<number>> = []
          assert.strictEqual(yield* here.record(planEvent(subject, "evt_first", first)), "recorded")
          assert.deepStrictEqual(first, [Option.none()])

          // The re-delivery, at the replica: decided ahead from nothing, and nothing of it written.
          const redelivered: Array<Option.Option<number>> = []
          assert.strictEqual(yield* there.record(planEvent(subject, "evt_first", redelivered)), "duplicate")
          assert.deepStrictEqual(redelivered, [Option.none()])

          // The next event, at the replica: decided ahead from nothing, then from the row the statement locked.
          const next: Array<Option.Option<number>> = []
          assert.strictEqual(yield* there.record(planEvent(subject, "evt_next", next)), "recorded")
          assert.deepStrictEqual(next, [Option.none(), Option.some(1)])

          // Now the replica knows the subscription: no decision ahead.
          const third: Array<Option.Option<number>> = []
          assert.strictEqual(yield* there.record(planEvent(subject, "evt_third", third)), "recorded")
          assert.deepStrictEqual(third, [Option.some(2)])

          const stored = yield* here.findSubscription(tenant.id, "plan")
          assert.deepStrictEqual(Option.map(stored, (state) => state.revision), Option.some(3))
          const jobs = yield* (yield* Jobs).list({
            status: "pending",
            tenantId: tenant.id,
            kind: "billing.Test",
            limit: 10
          })
          assert.deepStrictEqual(jobs.map((job) => job.idempotencyKey).sort(), [
            "evt_first:revision-1",
            "evt_next:revision-2",
            "evt_third:revision-3"
          ])
        }))
    }
  )
}

if (await serverAvailable()) {
  layer(RepositoriesSql.pipe(Layer.provideMerge(serverDatabase())), { timeout: 60_000, excludeTestServices: true })(
    "BillingLedgerSql on the Postgres server",
    (it) => {
      // The ledger is called from request fibers, whose context holds none of the database's services.
      it.scoped("records a first event in one round trip, with the transactions of the database it was built on", () =>
        Effect.gen(function*() {
          const server = yield* OneStatementTransaction
          let runs = 0
          const counted = OneStatementTransaction.of({
            run: (opener, statement) => Effect.suspend(() => (runs++, server.run(opener, statement)))
          })
          const ledger = Context.get(
            yield* Layer.build(BillingLedgerSql.pipe(Layer.provide(Layer.succeed(OneStatementTransaction, counted)))),
            BillingLedger
          )
          const tenant = makeTenant({ planKey: "enterprise" })
          yield* (yield* TenantRepo).insert(tenant)
          const subject: TenantPlanSubject = { _tag: "TenantPlan", tenantId: tenant.id, planKey: PlanKey.make("pro") }

          assert.strictEqual(yield* ledger.record(planEvent(subject, "evt_one_round_trip", [])), "recorded")
          assert.strictEqual(runs, 1)
          const stored = yield* ledger.findSubscription(tenant.id, "plan")
          assert.deepStrictEqual(Option.map(stored, (state) => state.revision), Option.some(1))
        }))
    }
  )
}
