import { SqlClient } from "@effect/sql"
import { assert, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { JobsMemory } from "../../adapters/memory/index.js"
import { inTenant, JobsSql } from "../../adapters/postgres/index.js"
import { Jobs } from "../../core/index.js"
import { newTenantId } from "../support/fixtures.js"
import { sqlDatabases } from "../support/stores.js"
import { enqueue, jobsContract, newKey, spec } from "./Jobs.contract.js"

jobsContract({ name: "memory", layer: () => JobsMemory })

const findByKey = (key: string) => Effect.flatMap(Jobs, (jobs) => jobs.findByIdempotencyKey(key))

class Abort extends Error {}

for (const database of await sqlDatabases()) {
  jobsContract({ name: database.name, layer: () => JobsSql.pipe(Layer.provide(database.layer())) })

  // A job exists exactly when the change that asked for it commits.
  layer(JobsSql.pipe(Layer.provideMerge(database.layer())), { timeout: 60_000 })(
    `Jobs on ${database.name}: enqueue joins the caller's transaction`,
    (it) => {
      it.effect("a transaction that commits keeps the job, one that fails leaves none", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const [kept, dropped] = [spec(), spec()]
          yield* sql.withTransaction(enqueue(kept))
          const failed = yield* Effect.exit(
            sql.withTransaction(Effect.zipRight(enqueue(dropped), Effect.fail(new Abort())))
          )
          assert.isTrue(Exit.isFailure(failed))
          assert.isTrue(Option.isSome(yield* findByKey(kept.idempotencyKey)))
          assert.isTrue(Option.isNone(yield* findByKey(dropped.idempotencyKey)))
        }))

      it.effect("inside inTenant it enqueues that tenant's jobs, rolled back with the tenant's transaction", () =>
        Effect.gen(function*() {
          const tenantId = newTenantId()
          const [kept, dropped] = [spec({ tenantId }), spec({ tenantId })]
          yield* inTenant(tenantId)(Effect.zipRight(enqueue(kept), enqueue({ ...kept, payload: "duplicate" })))
          yield* Effect.exit(inTenant(tenantId)(Effect.zipRight(enqueue(dropped), Effect.fail(new Abort()))))
          const job = yield* findByKey(kept.idempotencyKey)
          assert.deepStrictEqual(
            Option.map(job, ({ payload, tenantId }) => ({ payload, tenantId })),
            Option.some({
              payload: kept.payload,
              tenantId
            })
          )
          assert.isTrue(Option.isNone(yield* findByKey(dropped.idempotencyKey)))
          // The tenant's own context sees it, and another tenant's does not (row-level security).
          const sql = yield* SqlClient.SqlClient
          const visibleTo = (viewer: typeof tenantId) =>
            inTenant(viewer)(sql<{ n: number }>`
              SELECT count(*)::int AS n FROM jobs WHERE idempotency_key = ${kept.idempotencyKey}
            `).pipe(Effect.map(([row]) => row!.n))
          assert.strictEqual(yield* visibleTo(tenantId), 1)
          assert.strictEqual(yield* visibleTo(newTenantId()), 0)
        }))

      it.effect("inside inTenant, a job of another tenant (or of none) is refused", () =>
        Effect.gen(function*() {
          const tenantId = newTenantId()
          for (const other of [newTenantId(), null]) {
            const refused = spec({ tenantId: other, idempotencyKey: newKey() })
            const exit = yield* Effect.exit(inTenant(tenantId)(enqueue(refused)))
            // A row-level-security violation: a programming error, so a defect.
            assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
            assert.isTrue(Option.isNone(yield* findByKey(refused.idempotencyKey)))
          }
        }))
    }
  )
}
