import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Layer, Option } from "effect"
import {
  AuditLog,
  Crypto,
  Exports,
  Jobs,
  Licenses,
  Offboarding,
  offboardingStepKind,
  purgedSubject,
  TenantData,
  TenantRepo
} from "../../core/index.js"
import { advanceBy, drainJobs, sqlRuntime, startClock, tenantWithGuild } from "../support/billing.js"
import { sqlDatabases } from "../support/stores.js"

const databases = await sqlDatabases()

/**
 * Offboarding flows on the TestClock over a real database. A "restart" is a
 * new runtime (CoreLive: fresh caches, a fresh worker) over the same database;
 * the flows must go on from what the database holds.
 */
const runtimeOver = <R>(database: Layer.Layer<R>) => Layer.build(sqlRuntime(database))

const statusOf = (tenantId: string) =>
  Effect.map(
    Effect.flatMap(TenantRepo, (t) => t.findById(tenantId as never)),
    (found) => Option.getOrThrow(found).status
  )

for (const database of databases) {
  describe(`offboarding flows (${database.name})`, () => {
    it.scoped("remove bot: retire and revoke now; the purge, after a restart, deletes every row of the tenant", () =>
      Effect.gen(function*() {
        yield* startClock
        const db = Layer.succeedContext(yield* Layer.build(database.layer()))
        const { tenantId } = yield* Effect.scoped(Effect.gen(function*() {
          const first = yield* runtimeOver(db)
          return yield* Effect.provide(
            Effect.gen(function*() {
              const seeded = yield* tenantWithGuild("premium")
              yield* (yield* Licenses).issue(seeded.tenantId, {})
              const { flow } = yield* (yield* Offboarding).start(seeded.tenantId, {
                kind: "remove_bot",
                startedBy: "operator"
              })
              assert.deepStrictEqual(flow.steps.map((s) => s.name), ["retire", "revoke_license", "purge"])
              yield* drainJobs
              assert.strictEqual(yield* statusOf(seeded.tenantId), "retired")
              const licenses = yield* (yield* Licenses).list(seeded.tenantId)
              assert.deepStrictEqual(licenses.map((l) => l.status), ["revoked"])
              const now = yield* (yield* Offboarding).get(seeded.tenantId, flow.id)
              assert.deepStrictEqual(now.steps.map((s) => s.doneAt !== null), [true, true, false])
              return seeded
            }),
            first
          )
        }))

        // Restart: a new process over the same database, 30 days later.
        const second = yield* runtimeOver(db)
        yield* Effect.provide(
          Effect.gen(function*() {
            yield* advanceBy(Duration.days(29))
            yield* drainJobs
            const early = yield* (yield* TenantData).count(tenantId)
            assert.isAbove(early.find((t) => t.table === "guilds")!.rows, 0, "kept until the retention ends")
            yield* advanceBy(Duration.days(1))
            yield* drainJobs
            const counts = yield* (yield* TenantData).count(tenantId)
            assert.deepStrictEqual(counts.filter((t) => t.rows > 0), [])
            const record = yield* (yield* AuditLog).findBySubject(purgedSubject((yield* Crypto).sha256Hex, tenantId))
            assert.isTrue(Option.isSome(record))
            assert.strictEqual(Option.getOrThrow(record).tenantId, null)
          }),
          second
        )
      }))

    it.scoped("move to self-host: export, license at once, retire at the chosen time — after a crash mid-step", () =>
      Effect.gen(function*() {
        yield* startClock
        const db = Layer.succeedContext(yield* Layer.build(database.layer()))
        const { flowId, tenantId } = yield* Effect.scoped(Effect.gen(function*() {
          const first = yield* runtimeOver(db)
          return yield* Effect.provide(
            Effect.gen(function*() {
              const seeded = yield* tenantWithGuild("premium")
              const retireAt = DateTime.addDuration(yield* DateTime.now, Duration.days(2))
              const started = yield* (yield* Offboarding).start(seeded.tenantId, {
                kind: "move_to_self_host",
                startedBy: "operator",
                retireAt
              })
              assert.isNotNull(started.licenseKey)
              yield* drainJobs
              const flow = yield* (yield* Offboarding).get(seeded.tenantId, started.flow.id)
              const exported = yield* (yield* Exports).get(seeded.tenantId, flow.context.exportId as never)
              assert.strictEqual(exported.status, "ready")
              assert.strictEqual(yield* statusOf(seeded.tenantId), "active", "served until the chosen time")
              // At the chosen time a worker claims the retire step and dies before finishing it.
              yield* advanceBy(Duration.days(2))
              const claimed = yield* (yield* Jobs).claim({
                workerId: "crashed",
                limit: 10,
                now: yield* DateTime.now,
                lease: Duration.minutes(5)
              })
              assert.deepStrictEqual(claimed.map((job) => job.kind), [offboardingStepKind.kind])
              return { tenantId: seeded.tenantId, flowId: started.flow.id }
            }),
            first
          )
        }))

        const second = yield* runtimeOver(db)
        yield* Effect.provide(
          Effect.gen(function*() {
            yield* drainJobs
            assert.strictEqual(yield* statusOf(tenantId), "active", "the crashed worker's lease still holds")
            yield* advanceBy(Duration.minutes(6))
            yield* drainJobs
            assert.strictEqual(yield* statusOf(tenantId), "retired")
            const flow = yield* (yield* Offboarding).get(tenantId, flowId)
            assert.strictEqual(flow.status, "done")
            const actions = (yield* (yield* AuditLog).list(tenantId, { limit: 50 })).map((e) => e.action)
            for (
              const action of [
                "offboarding.started",
                "offboarding.step.issue_license",
                "offboarding.step.export",
                "offboarding.step.retire",
                "offboarding.done"
              ]
            ) {
              assert.include(actions, action)
            }
            const cancel = yield* Effect.flip((yield* Offboarding).cancel(tenantId, flowId, "operator"))
            assert.strictEqual(cancel._tag, "FlowNotCancellable")
          }),
          second
        )
      }))

    it.scoped("non-payment: export, retire when read-only ends (after a restart), purge after the retention window", () =>
      Effect.gen(function*() {
        yield* startClock
        const db = Layer.succeedContext(yield* Layer.build(database.layer()))
        const { tenantId } = yield* Effect.scoped(Effect.gen(function*() {
          const first = yield* runtimeOver(db)
          return yield* Effect.provide(
            Effect.gen(function*() {
              const seeded = yield* tenantWithGuild("premium")
              yield* (yield* TenantRepo).update(seeded.tenantId, { status: "read_only" })
              const { flow } = yield* (yield* Offboarding).start(seeded.tenantId, {
                kind: "non_payment",
                startedBy: "operator"
              })
              assert.deepStrictEqual(flow.steps.map((s) => s.name), ["export", "retire", "purge"])
              yield* drainJobs
              const offered = yield* (yield* Offboarding).get(seeded.tenantId, flow.id)
              assert.isDefined(offered.context.exportId, "the export link is offered at once")
              assert.strictEqual(yield* statusOf(seeded.tenantId), "read_only")
              return seeded
            }),
            first
          )
        }))

        const second = yield* runtimeOver(db)
        yield* Effect.provide(
          Effect.gen(function*() {
            yield* advanceBy(Duration.days(14))
            yield* drainJobs
            assert.strictEqual(yield* statusOf(tenantId), "retired")
            yield* advanceBy(Duration.days(30))
            yield* drainJobs
            const counts = yield* (yield* TenantData).count(tenantId)
            assert.deepStrictEqual(counts.filter((t) => t.rows > 0), [])
          }),
          second
        )
      }))

    it.scoped("non-payment: cancelled after the retire, the tenant gets its status back and nothing is purged", () =>
      Effect.gen(function*() {
        yield* startClock
        const runtime = yield* runtimeOver(database.layer())
        yield* Effect.provide(
          Effect.gen(function*() {
            const { tenantId } = yield* tenantWithGuild("premium")
            yield* (yield* TenantRepo).update(tenantId, { status: "read_only" })
            const offboarding = yield* Offboarding
            const { flow } = yield* offboarding.start(tenantId, { kind: "non_payment", startedBy: "operator" })
            const second = yield* Effect.either(
              offboarding.start(tenantId, { kind: "remove_bot", startedBy: "operator" })
            )
            assert.isTrue(second._tag === "Left" && second.left._tag === "FlowAlreadyRunning")
            yield* drainJobs
            yield* advanceBy(Duration.days(14))
            yield* drainJobs
            assert.strictEqual(yield* statusOf(tenantId), "retired")
            const cancelled = yield* offboarding.cancel(tenantId, flow.id, "operator")
            assert.strictEqual(cancelled.status, "cancelled")
            assert.strictEqual(yield* statusOf(tenantId), "read_only")
            yield* advanceBy(Duration.days(31))
            yield* drainJobs
            const counts = yield* (yield* TenantData).count(tenantId)
            assert.strictEqual(counts.find((t) => t.table === "guilds")?.rows, 1)
          }),
          runtime
        )
      }))
  })
}
