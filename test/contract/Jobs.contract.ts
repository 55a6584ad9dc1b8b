import { assert, layer } from "@effect/vitest"
import { DateTime, Duration, Effect, Option } from "effect"
import { type Job, Jobs, type JobSpec } from "../../core/index.js"
import { newTenantId } from "../support/fixtures.js"
import type { Store } from "../support/stores.js"

/** 2024-03-01T00:00:00Z, and seconds after it. */
const start = DateTime.unsafeMake("2024-03-01T00:00:00Z")
export const at = (seconds: number) => DateTime.addDuration(start, Duration.seconds(seconds))
const lease = Duration.minutes(1)

let keys = 0
export const newKey = () => `job-key-${Date.now().toString(36)}-${++keys}`

export const spec = (options: Partial<JobSpec> = {}): JobSpec => ({
  tenantId: null,
  kind: "test.Job",
  payload: { n: 1 },
  runAt: start,
  idempotencyKey: newKey(),
  ...options
})

const jobs = Jobs
export const enqueue = (...specs: ReadonlyArray<JobSpec>) => Effect.flatMap(jobs, (store) => store.enqueue(specs))
export const claim = (workerId: string, now: DateTime.Utc, limit = 100) =>
  Effect.flatMap(jobs, (store) => store.claim({ workerId, limit, now, lease }))
export const byKey = (key: string) =>
  Effect.flatMap(jobs, (store) => store.findByIdempotencyKey(key)).pipe(Effect.map(Option.getOrThrow))
const keysOf = (claimed: ReadonlyArray<Job>) => claimed.map((job) => job.idempotencyKey)

/**
 * The store is shared by the file's tests: each first finishes every job an
 * earlier test left claimable, so its claims see only its own jobs.
 */
export const drain = Effect.gen(function*() {
  const store = yield* Jobs
  const end = DateTime.unsafeMake("2100-01-01T00:00:00Z")
  for (;;) {
    const left = yield* store.claim({ workerId: "drain", limit: 1000, now: end, lease })
    if (left.length === 0) return
    yield* Effect.forEach(left, (job) => store.complete(job.id, "drain", end), { discard: true })
  }
})

export const jobsContract = (store: Store<Jobs>) =>
  layer(store.layer(), { timeout: 60_000 })(`Jobs on ${store.name}`, (it) => {
    it.effect("enqueues a job once per idempotency key: the first stands", () =>
      Effect.gen(function*() {
        const store = yield* Jobs
        const tenantId = newTenantId()
        const first = spec({ tenantId, payload: { grant: "role", amounts: [1, 2.5], nested: { ok: true } } })
        yield* enqueue(first, { ...first, payload: { other: 1 } })
        yield* enqueue({ ...first, kind: "test.Other", runAt: at(60) })
        const job = yield* byKey(first.idempotencyKey)
        assert.deepStrictEqual(
          { ...job, id: "", createdAt: null },
          {
            id: "",
            tenantId,
            kind: "test.Job",
            payload: { grant: "role", amounts: [1, 2.5], nested: { ok: true } },
            idempotencyKey: first.idempotencyKey,
            status: "pending",
            runAt: start,
            attempts: 0,
            maxAttempts: 10,
            lastError: null,
            lockedBy: null,
            lockedUntil: null,
            createdAt: null,
            finishedAt: null
          }
        )
        assert.deepStrictEqual(yield* store.find(job.id), Option.some(job))
        assert.lengthOf(yield* store.list({ status: "pending", tenantId, limit: 10 }), 1)
        assert.isTrue(Option.isNone(yield* store.findByIdempotencyKey(newKey())))
      }))

    it.effect("claims only due jobs, oldest runAt first, up to the limit", () =>
      Effect.gen(function*() {
        yield* drain
        const [later, soon, future] = [spec({ runAt: at(2) }), spec({ runAt: at(1) }), spec({ runAt: at(5) })]
        yield* enqueue(later, soon, future)
        const first = yield* claim("w1", at(3), 1)
        assert.deepStrictEqual(keysOf(first), [soon.idempotencyKey])
        const rest = yield* claim("w1", at(3))
        assert.deepStrictEqual(keysOf(rest), [later.idempotencyKey])
        assert.deepStrictEqual(
          rest.map(({ attempts, lockedBy, lockedUntil, status }) => ({ attempts, lockedBy, lockedUntil, status })),
          [{ attempts: 1, lockedBy: "w1", lockedUntil: DateTime.addDuration(at(3), lease), status: "running" }]
        )
        assert.deepStrictEqual(keysOf(yield* claim("w1", at(4))), [])
        assert.deepStrictEqual(keysOf(yield* claim("w1", at(5))), [future.idempotencyKey])
      }))

    it.effect("a claimed job is claimed again only once its lease expires, counting the attempt", () =>
      Effect.gen(function*() {
        yield* drain
        const job = spec()
        yield* enqueue(job)
        assert.lengthOf(yield* claim("w1", at(0)), 1)
        assert.lengthOf(yield* claim("w2", at(59)), 0)
        const [takenOver] = yield* claim("w2", at(60))
        assert.strictEqual(takenOver?.idempotencyKey, job.idempotencyKey)
        assert.strictEqual(takenOver?.attempts, 2)
        assert.strictEqual(takenOver?.lockedBy, "w2")
      }))

    it.effect("complete, retry and bury are ignored unless the worker still holds the job", () =>
      Effect.gen(function*() {
        yield* drain
        const store = yield* Jobs
        yield* enqueue(spec())
        const [job] = yield* claim("w1", at(0))
        yield* claim("w2", at(60))
        yield* store.complete(job!.id, "w1", at(61))
        yield* store.retry(job!.id, "w1", "late", at(62))
        yield* store.bury(job!.id, "w1", "late", at(61))
        const held = Option.getOrThrow(yield* store.find(job!.id))
        assert.deepStrictEqual([held.status, held.lockedBy, held.lastError], ["running", "w2", null])

        yield* store.complete(job!.id, "w2", at(70))
        const done = Option.getOrThrow(yield* store.find(job!.id))
        assert.deepStrictEqual([done.status, done.finishedAt, done.lockedBy, done.lockedUntil], [
          "done",
          at(70),
          null,
          null
        ])
        // Finished: neither claimable nor changed by its last holder.
        yield* store.retry(job!.id, "w2", "again", at(71))
        assert.strictEqual(Option.getOrThrow(yield* store.find(job!.id)).status, "done")
        assert.lengthOf(yield* claim("w3", at(1_000)), 0)
      }))

    it.effect("a retried job waits for its new runAt and keeps the error", () =>
      Effect.gen(function*() {
        yield* drain
        const store = yield* Jobs
        yield* enqueue(spec())
        const [job] = yield* claim("w1", at(0))
        yield* store.retry(job!.id, "w1", "rate limited", at(30))
        const pending = Option.getOrThrow(yield* store.find(job!.id))
        assert.deepStrictEqual([pending.status, pending.runAt, pending.lastError, pending.lockedBy], [
          "pending",
          at(30),
          "rate limited",
          null
        ])
        assert.lengthOf(yield* claim("w1", at(29)), 0)
        const [again] = yield* claim("w1", at(30))
        assert.strictEqual(again?.attempts, 2)
      }))

    it.effect("a buried job keeps its last error, is listed as dead, and can be revived", () =>
      Effect.gen(function*() {
        yield* drain
        const store = yield* Jobs
        const kind = `test.Dead${newKey()}`
        yield* enqueue(spec({ kind, maxAttempts: 3 }))
        const [job] = yield* claim("w1", at(0))
        yield* store.bury(job!.id, "w1", "missing_permissions: move the bot's role up", at(1))
        const [dead, ...others] = yield* store.list({ status: "dead", kind, limit: 10 })
        assert.lengthOf(others, 0)
        assert.deepStrictEqual([dead?.id, dead?.status, dead?.lastError, dead?.finishedAt, dead?.attempts], [
          job!.id,
          "dead",
          "missing_permissions: move the bot's role up",
          at(1),
          1
        ])
        assert.lengthOf(yield* claim("w1", at(1_000)), 0)

        assert.isTrue(yield* store.revive(job!.id, at(100)))
        const revived = Option.getOrThrow(yield* store.find(job!.id))
        assert.deepStrictEqual([revived.status, revived.attempts, revived.runAt, revived.finishedAt], [
          "pending",
          0,
          at(100),
          null
        ])
        assert.lengthOf(yield* store.list({ status: "dead", kind, limit: 10 }), 0)
        assert.isFalse(yield* store.revive(job!.id, at(100)))
        const [reclaimed] = yield* claim("w1", at(100))
        assert.strictEqual(reclaimed?.attempts, 1)
      }))

    it.effect("purgeFinished deletes done jobs finished before the cutoff and keeps the rest", () =>
      Effect.gen(function*() {
        yield* drain
        const store = yield* Jobs
        const [old, recent, dead, pending] = [spec(), spec(), spec(), spec({ runAt: at(1_000_000) })]
        yield* enqueue(old, recent, dead, pending)
        const claimed = yield* claim("w1", at(0))
        const id = (job: JobSpec) => claimed.find((c) => c.idempotencyKey === job.idempotencyKey)!.id
        yield* store.complete(id(old), "w1", at(10))
        yield* store.complete(id(recent), "w1", at(30))
        yield* store.bury(id(dead), "w1", "permanent", at(10))

        const purged = yield* store.purgeFinished(at(20))
        assert.isAtLeast(purged, 1)
        assert.isTrue(Option.isNone(yield* store.findByIdempotencyKey(old.idempotencyKey)))
        assert.strictEqual((yield* byKey(recent.idempotencyKey)).status, "done")
        assert.strictEqual((yield* byKey(dead.idempotencyKey)).status, "dead")
        assert.strictEqual((yield* byKey(pending.idempotencyKey)).status, "pending")
        // A purged job's key is forgotten with it.
        yield* enqueue(old)
        assert.strictEqual((yield* byKey(old.idempotencyKey)).status, "pending")
      }))

    it.effect("lists one status, oldest first, filtered by kind and tenant", () =>
      Effect.gen(function*() {
        const store = yield* Jobs
        const [tenantA, tenantB] = [newTenantId(), newTenantId()]
        const kind = `test.List${newKey()}`
        const specs = [
          spec({ tenantId: tenantA, kind }),
          spec({ tenantId: tenantB, kind }),
          spec({ tenantId: tenantA, kind: `${kind}.other` })
        ]
        for (const one of specs) yield* enqueue(one)
        const ofA = yield* store.list({ status: "pending", tenantId: tenantA, limit: 10 })
        assert.deepStrictEqual(keysOf(ofA), [specs[0]!.idempotencyKey, specs[2]!.idempotencyKey])
        const ofKind = yield* store.list({ status: "pending", kind, limit: 10 })
        assert.deepStrictEqual(keysOf(ofKind), [specs[0]!.idempotencyKey, specs[1]!.idempotencyKey])
        assert.deepStrictEqual(keysOf(yield* store.list({ status: "pending", kind, limit: 1 })), [
          specs[0]!.idempotencyKey
        ])
        assert.lengthOf(yield* store.list({ status: "done", kind, limit: 10 }), 0)
      }))

    it.effect("concurrent workers never claim one job twice", () =>
      Effect.gen(function*() {
        yield* drain
        const store = yield* Jobs
        const specs = Array.from({ length: 200 }, (_, i) => spec({ runAt: at(i % 7) }))
        yield* store.enqueue(specs)
        const claimedBy = new Map<string, Array<string>>()
        yield* Effect.forEach(
          Array.from({ length: 8 }, (_, i) => `worker-${i}`),
          (workerId) =>
            Effect.gen(function*() {
              for (;;) {
                const batch = yield* claim(workerId, at(10), 5)
                if (batch.length === 0) return
                for (const job of batch) {
                  claimedBy.set(job.idempotencyKey, [...(claimedBy.get(job.idempotencyKey) ?? []), workerId])
                }
                yield* Effect.forEach(batch, (job) => store.complete(job.id, workerId, at(10)), { discard: true })
              }
            }),
          { concurrency: "unbounded", discard: true }
        )
        assert.strictEqual(claimedBy.size, 200)
        const twice = Array.from(claimedBy.values()).filter((workers) => workers.length !== 1)
        assert.deepStrictEqual(twice, [])
        const done = yield* Effect.forEach(specs, (one) => byKey(one.idempotencyKey))
        assert.isTrue(done.every((job) => job.status === "done" && job.attempts === 1))
      }))
  })
