import { DateTime, Duration, Effect } from "effect"
import {
  billingEffectKinds,
  billingTimerKind,
  commandSyncKind,
  exportBuildKind,
  Exports,
  followBilling,
  GuildClaimRepo,
  holdTransferKind,
  Jobs,
  offboardingStepKind,
  postAnnouncementKind,
  Quotas,
  reconcileAllPaidRoles,
  reconcileGuildKind,
  Recurring,
  reportMeteredUsage,
  resolveHeldKind,
  scheduleRecurring,
  settleOrderKind
} from "../core/index.js"

/** Hourly: expired quota holds given back, ended windows and old idempotency keys deleted. */
const quotaSweep = Recurring.make({
  kind: "quotas.sweep",
  every: Duration.hours(1),
  work: Effect.flatMap(
    Quotas,
    (quotas) =>
      Effect.flatMap(quotas.sweep, (swept) => Effect.logInfo("quotas: swept").pipe(Effect.annotateLogs({ ...swept })))
  )
})

/** How long finished jobs are kept (for support: "did the grant run?") before the daily purge deletes them. */
const finishedJobRetention = Duration.days(7)

/** Daily: done jobs older than the retention deleted (dead ones stay for operators). */
const jobPurge = Recurring.make({
  kind: "jobs.purge",
  every: Duration.days(1),
  work: Effect.gen(function*() {
    const now = yield* DateTime.now
    const purged = yield* (yield* Jobs).purgeFinished(DateTime.subtractDuration(now, finishedJobRetention))
    yield* Effect.logInfo(`jobs: purged ${purged} finished job(s)`)
  })
})

/** Daily: invite claims nobody used (the admin never added the bot) are deleted once they expire. */
const claimPurge = Recurring.make({
  kind: "guilds.purge-claims",
  every: Duration.days(1),
  work: Effect.gen(function*() {
    const purged = yield* (yield* GuildClaimRepo).purgeExpiredClaims(yield* DateTime.now)
    yield* Effect.logInfo(`guilds: purged ${purged} expired claim(s)`)
  })
})

/** Daily: export archives past their retention deleted. */
const exportPurge = Recurring.make({
  kind: "exports.purge",
  every: Duration.days(1),
  work: Effect.flatMap(
    Exports,
    (exports) =>
      Effect.flatMap(exports.purgeExpired, (purged) => Effect.logInfo(`exports: purged ${purged} expired export(s)`))
  )
})

/** The recurring housekeeping: quota sweep, paid-role reconciliation, metered usage, and the purges. */
const recurringKinds = [
  quotaSweep,
  reconcileAllPaidRoles,
  reportMeteredUsage,
  jobPurge,
  claimPurge,
  exportPurge
] as const

/**
 * Every job kind the worker runs: billing effects and timers (the read-only
 * ones followed by the non-payment flow), payment settlements and paid-role
 * reconciliations, command syncs Discord refused for now, scheduled
 * announcements, export builds and offboarding steps, and the recurring
 * housekeeping.
 */
export const builtinJobKinds = [
  ...Object.values({ ...billingEffectKinds, ...followBilling }),
  billingTimerKind,
  settleOrderKind,
  holdTransferKind,
  resolveHeldKind,
  reconcileGuildKind,
  commandSyncKind,
  postAnnouncementKind,
  exportBuildKind,
  offboardingStepKind,
  ...recurringKinds
] as const

/** At boot: the next run of each recurring job is in the outbox (once, however many replicas boot). */
export const scheduleHousekeeping = Effect.forEach(recurringKinds, scheduleRecurring, { discard: true })
