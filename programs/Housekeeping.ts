import { Duration, Effect, Layer } from "effect"
import {
  billingJobHandlers,
  type JobHandler,
  JobHandlers,
  paymentJobHandlers,
  Quotas,
  reconcileAllPaidRoles,
  type Recurring,
  recurringHandler,
  reportMeteredUsage,
  scheduleRecurring
} from "../core/index.js"

/** Hourly: expired quota holds given back, ended windows and old idempotency keys deleted. */
const quotaSweep = Effect.map(Quotas, (quotas): Recurring => ({
  kind: "quotas.sweep",
  every: Duration.hours(1),
  run: Effect.flatMap(quotas.sweep, (swept) => Effect.logInfo("quotas: swept").pipe(Effect.annotateLogs({ ...swept })))
}))

const recurringJobs = Effect.all([quotaSweep, reconcileAllPaidRoles, reportMeteredUsage])

/**
 * Every job kind the worker runs: billing effects and timers, payment
 * settlements, and the recurring housekeeping (quota sweep, paid-role
 * reconciliation, metered usage reports).
 */
export const JobHandlersLive = Layer.effect(
  JobHandlers,
  Effect.gen(function*() {
    const recurring = yield* recurringJobs
    const recurringHandlers = new Map<string, JobHandler>(
      yield* Effect.forEach(
        recurring,
        (job) => Effect.map(recurringHandler(job), (handler) => [job.kind, handler] as const)
      )
    )
    return JobHandlers.merge(yield* billingJobHandlers, yield* paymentJobHandlers, recurringHandlers)
  })
)

/** At boot: the next run of each recurring job is in the outbox (once, however many replicas boot). */
export const scheduleHousekeeping = Effect.flatMap(recurringJobs, Effect.forEach(scheduleRecurring, { discard: true }))
