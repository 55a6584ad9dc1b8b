import { DateTime, Duration, Effect, Layer } from "effect"
import {
  announcementJobHandlers,
  billingJobHandlers,
  commandSyncJobHandlers,
  Exports,
  followBilling,
  GuildClaimRepo,
  type JobHandler,
  JobHandlers,
  Jobs,
  Offboarding,
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

/** How long finished jobs are kept (for support: "did the grant run?") before the daily purge deletes them. */
const finishedJobRetention = Duration.days(7)

/** Daily: done jobs older than the retention deleted (dead ones stay for operators). */
const jobPurge = Effect.map(Jobs, (jobs): Recurring => ({
  kind: "jobs.purge",
  every: Duration.days(1),
  run: Effect.flatMap(DateTime.now, (now) =>
    Effect.flatMap(
      jobs.purgeFinished(DateTime.subtractDuration(now, finishedJobRetention)),
      (purged) => Effect.logInfo(`jobs: purged ${purged} finished job(s)`)
    ))
}))

/** Daily: invite claims nobody used (the admin never added the bot) are deleted once they expire. */
const claimPurge = Effect.map(GuildClaimRepo, (claims): Recurring => ({
  kind: "guilds.purge-claims",
  every: Duration.days(1),
  run: DateTime.now.pipe(
    Effect.flatMap(claims.purgeExpiredClaims),
    Effect.flatMap((purged) => Effect.logInfo(`guilds: purged ${purged} expired claim(s)`))
  )
}))

/** Daily: export archives past their retention deleted. */
const exportPurge = Effect.map(Exports, (exports): Recurring => ({
  kind: "exports.purge",
  every: Duration.days(1),
  run: Effect.flatMap(exports.purgeExpired, (purged) => Effect.logInfo(`exports: purged ${purged} expired export(s)`))
}))

const recurringJobs = Effect.all([
  quotaSweep,
  reconcileAllPaidRoles,
  reportMeteredUsage,
  jobPurge,
  claimPurge,
  exportPurge
])

/**
 * Every job kind the worker runs: billing effects and timers, payment
 * settlements, command syncs Discord refused for now, scheduled
 * announcements, export builds and offboarding steps, and the recurring
 * housekeeping (quota sweep, paid-role reconciliation, metered usage reports,
 * finished-job purge, expired claims, expired exports).
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
    return JobHandlers.merge(
      (yield* followBilling)(yield* billingJobHandlers),
      yield* paymentJobHandlers,
      yield* commandSyncJobHandlers,
      yield* announcementJobHandlers,
      JobHandlers.fromRecord((yield* Exports).jobHandlers),
      JobHandlers.fromRecord((yield* Offboarding).jobHandlers),
      recurringHandlers
    )
  })
)

/** At boot: the next run of each recurring job is in the outbox (once, however many replicas boot). */
export const scheduleHousekeeping = Effect.flatMap(recurringJobs, Effect.forEach(scheduleRecurring, { discard: true }))
