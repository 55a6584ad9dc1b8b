import { DateTime, Duration, Effect, Layer, Option } from "effect"
import { type Job, Jobs, type JobStatus } from "../../core/index.js"

/**
 * Jobs in memory, with state of its own. Every operation runs under one
 * permit, so claims are exact under any concurrency (the SQL store's
 * `FOR UPDATE SKIP LOCKED`, with one lock for everything).
 */

const defaultMaxAttempts = 10

const millis = (instant: DateTime.Utc) => DateTime.toEpochMillis(instant)

/** A job and the order it was enqueued in (first in, first out among equal instants). */
interface Stored {
  readonly job: Job
  readonly insertionOrder: number
}

const byRunAt = (a: Stored, b: Stored) =>
  millis(a.job.runAt) - millis(b.job.runAt) || a.insertionOrder - b.insertionOrder
const byCreatedAt = (a: Stored, b: Stored) =>
  millis(a.job.createdAt) - millis(b.job.createdAt) || a.insertionOrder - b.insertionOrder

/** As the SQL claim: a running job was due when claimed, so run_at <= now holds for it too. */
const isDue = (job: Job, nowMillis: number) =>
  millis(job.runAt) <= nowMillis &&
  (job.status === "pending" ||
    (job.status === "running" && job.lockedUntil !== null && millis(job.lockedUntil) <= nowMillis))

const make = Effect.gen(function*() {
  const permit = yield* Effect.makeSemaphore(1)
  const atomically = permit.withPermits(1)
  const jobs = new Map<string, Stored>()
  const idsByKey = new Map<string, string>()
  let enqueued = 0

  /** Replaces a running job held by `workerId`; anything else is left alone. */
  const ifHeld = (id: string, workerId: string, change: (job: Job) => Partial<Job>) =>
    atomically(Effect.sync(() => {
      const stored = jobs.get(id)
      if (stored === undefined || stored.job.status !== "running" || stored.job.lockedBy !== workerId) return
      jobs.set(id, { ...stored, job: { ...stored.job, ...change(stored.job) } })
    }))

  const released = { lockedBy: null, lockedUntil: null } as const

  return Jobs.of({
    enqueue: (specs) =>
      Effect.flatMap(DateTime.now, (now) =>
        atomically(Effect.sync(() => {
          for (const spec of specs) {
            if (idsByKey.has(spec.idempotencyKey)) continue
            const id = crypto.randomUUID()
            idsByKey.set(spec.idempotencyKey, id)
            jobs.set(id, {
              insertionOrder: ++enqueued,
              job: {
                id,
                tenantId: spec.tenantId,
                kind: spec.kind,
                // Stored as the SQL store stores it: as JSON.
                payload: JSON.parse(JSON.stringify(spec.payload ?? null)),
                idempotencyKey: spec.idempotencyKey,
                status: "pending",
                runAt: spec.runAt,
                attempts: 0,
                maxAttempts: spec.maxAttempts ?? defaultMaxAttempts,
                lastError: null,
                lockedBy: null,
                lockedUntil: null,
                createdAt: now,
                finishedAt: null
              }
            })
          }
        }))),
    claim: ({ lease, limit, now, workerId }) =>
      atomically(Effect.sync(() => {
        const nowMillis = millis(now)
        const lockedUntil = DateTime.addDuration(now, Duration.decode(lease))
        const due = Array.from(jobs.values()).filter(({ job }) => isDue(job, nowMillis)).sort(byRunAt).slice(0, limit)
        return due.map((stored) => {
          const { job } = stored
          const claimed: Job = {
            ...job,
            status: "running",
            attempts: job.attempts + 1,
            lockedBy: workerId,
            lockedUntil
          }
          jobs.set(job.id, { ...stored, job: claimed })
          return claimed
        })
      })),
    complete: (id, workerId, now) => ifHeld(id, workerId, () => ({ status: "done", finishedAt: now, ...released })),
    retry: (id, workerId, error, runAt) =>
      ifHeld(id, workerId, () => ({ status: "pending", runAt, lastError: error, ...released })),
    bury: (id, workerId, error, now) =>
      ifHeld(id, workerId, () => ({ status: "dead", lastError: error, finishedAt: now, ...released })),
    find: (id) => Effect.sync(() => Option.fromNullable(jobs.get(id)?.job)),
    findByIdempotencyKey: (key) => Effect.sync(() => Option.fromNullable(jobs.get(idsByKey.get(key) ?? "")?.job)),
    list: ({ kind, limit, status, tenantId }) =>
      Effect.sync(() =>
        Array.from(jobs.values())
          .filter(({ job }) =>
            job.status === (status satisfies JobStatus) &&
            (kind === undefined || job.kind === kind) &&
            (tenantId === undefined || job.tenantId === tenantId)
          )
          .sort(byCreatedAt)
          .slice(0, limit)
          .map(({ job }) => job)
      ),
    revive: (id, now) =>
      atomically(Effect.sync(() => {
        const stored = jobs.get(id)
        if (stored === undefined || stored.job.status !== "dead") return false
        const revived: Job = {
          ...stored.job,
          status: "pending",
          runAt: now,
          attempts: 0,
          finishedAt: null,
          ...released
        }
        jobs.set(id, { ...stored, job: revived })
        return true
      })),
    purgeFinished: (finishedBefore) =>
      atomically(Effect.sync(() => {
        let purged = 0
        for (const [id, { job }] of jobs) {
          if (job.status === "done" && job.finishedAt !== null && DateTime.lessThan(job.finishedAt, finishedBefore)) {
            jobs.delete(id)
            idsByKey.delete(job.idempotencyKey)
            purged++
          }
        }
        return purged
      }))
  })
})

export const JobsMemory = Layer.effect(Jobs, make)
