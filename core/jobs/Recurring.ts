import { DateTime, Duration, Effect } from "effect"
import { Jobs } from "../ports/Jobs.js"
import type { JobHandler } from "./JobHandlers.js"

/**
 * Housekeeping that runs every `every` (a quota sweep, a reconciliation).
 * Each run is a job keyed by its time slot, so any number of replicas
 * scheduling it at boot enqueue one job per slot, and each run enqueues the
 * next: the schedule survives restarts because it lives in the outbox.
 */
export interface Recurring {
  readonly kind: string
  readonly every: Duration.Duration
  readonly run: Effect.Effect<void, never, never>
}

const slotKey = (recurring: Recurring, slot: number) => `${recurring.kind}:${slot}`

const slotOf = (recurring: Recurring, at: DateTime.Utc) =>
  Math.floor(at.epochMillis / Duration.toMillis(recurring.every))

/** Enqueues the run of the slot after `at`, for the start of that slot. */
const enqueueNext = (recurring: Recurring, at: DateTime.Utc) =>
  Effect.flatMap(Jobs, (jobs) => {
    const next = slotOf(recurring, at) + 1
    return jobs.enqueue([{
      tenantId: null,
      kind: recurring.kind,
      payload: { slot: next },
      runAt: DateTime.unsafeMake(next * Duration.toMillis(recurring.every)),
      idempotencyKey: slotKey(recurring, next)
    }])
  })

/** At boot: makes sure the next run is scheduled (a no-op when another replica already did). */
export const scheduleRecurring = (recurring: Recurring) =>
  Effect.flatMap(DateTime.now, (now) => enqueueNext(recurring, now))

/**
 * The job handler: schedules the next slot, then runs the housekeeping. Next
 * first, so a run that fails (and is retried, or dead-lettered) never ends
 * the schedule.
 */
export const recurringHandler = (recurring: Recurring): Effect.Effect<JobHandler, never, Jobs> =>
  Effect.map(Jobs, (jobs) => (job) =>
    Effect.gen(function*() {
      yield* enqueueNext(recurring, job.runAt).pipe(Effect.provideService(Jobs, jobs))
      yield* recurring.run
    }))
