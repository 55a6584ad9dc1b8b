import { DateTime, Duration, Effect, Schema } from "effect"
import { Jobs } from "../ports/Jobs.js"
import { JobKind } from "./JobKind.js"

const Slot = Schema.Struct({ slot: Schema.Number })

/**
 * Housekeeping that runs every `every` (a quota sweep, a reconciliation): a
 * job kind whose jobs are keyed by their time slot, so any number of
 * replicas scheduling it at boot enqueue one job per slot, and each run
 * enqueues the next: the schedule survives restarts because it lives in the
 * outbox.
 */
export interface RecurringKind<R = never> extends JobKind<typeof Slot.Type, typeof Slot.Encoded, R | Jobs> {
  readonly every: Duration.Duration
  /** The housekeeping itself, without scheduling the next run. */
  readonly work: Effect.Effect<void, never, R>
}

const slotOf = (every: Duration.Duration, at: DateTime.Utc) => Math.floor(at.epochMillis / Duration.toMillis(every))

/** Enqueues the run of the slot after `at`, for the start of that slot. */
const enqueueNext = <R>(recurring: RecurringKind<R>, at: DateTime.Utc) =>
  Effect.flatMap(Jobs, (jobs) => {
    const next = slotOf(recurring.every, at) + 1
    return jobs.enqueue([recurring.spec({
      tenantId: null,
      payload: { slot: next },
      runAt: DateTime.unsafeMake(next * Duration.toMillis(recurring.every)),
      idempotencyKey: `${recurring.kind}:${next}`
    })])
  })

/**
 * A recurring kind. Its handler schedules the next slot, then runs the
 * housekeeping: next first, so a run that fails (and is retried, or
 * dead-lettered) never ends the schedule.
 */
const make = <R>(definition: {
  readonly kind: string
  readonly every: Duration.DurationInput
  readonly work: Effect.Effect<void, never, R>
}): RecurringKind<R> => {
  const every = Duration.decode(definition.every)
  const recurring: RecurringKind<R> = {
    every,
    work: definition.work,
    ...JobKind.make({
      kind: definition.kind,
      payload: Slot,
      handle: (_slot, job) => Effect.zipRight(enqueueNext(recurring, job.runAt), definition.work)
    })
  }
  return recurring
}

export const Recurring = { make }

/** At boot: makes sure the next run is scheduled (a no-op when another replica already did). */
export const scheduleRecurring = (recurring: RecurringKind<unknown>): Effect.Effect<void, never, Jobs> =>
  Effect.flatMap(DateTime.now, (now) => enqueueNext(recurring, now))
