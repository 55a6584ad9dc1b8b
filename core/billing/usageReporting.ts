import { DateTime, Duration, Effect, Option } from "effect"
import type { TenantId } from "../ids.js"
import { Recurring } from "../jobs/Recurring.js"
import { PlanCatalog } from "../plans/PlanCatalog.js"
import { BillingLedger } from "../ports/BillingLedger.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import { Jobs } from "../ports/Jobs.js"
import { QuotaStore } from "../ports/QuotaStore.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { effectJobs } from "./Billing.js"
import type { BillingEffect } from "./BillingEffect.js"

/** Tenants walked per run; past this the run logs that it stopped short. */
const tenantsPerRun = 100_000

const reportTenant = (tenantId: TenantId, meters: Readonly<Record<string, string>>, day: string, now: DateTime.Utc) =>
  Effect.gen(function*() {
    const guilds = yield* GuildRepo
    const ledger = yield* BillingLedger
    const quotas = yield* QuotaStore
    const jobs = yield* Jobs
    const subscription = yield* ledger.findSubscription(tenantId, "plan")
    if (!Option.exists(subscription, (state) => state.provider === "stripe" && state.customerId !== null)) return 0
    const totals = new Map<string, number>()
    for (const guild of yield* guilds.listByTenant(tenantId)) {
      for (const usage of yield* quotas.dailyUsage(tenantId, guild.guildId, day, day)) {
        totals.set(usage.meter, (totals.get(usage.meter) ?? 0) + usage.used)
      }
    }
    // A day without usage reports nothing: a meter event of 0 bills nothing either.
    const reports: Array<BillingEffect> = Object.entries(meters).flatMap(([meter, eventName]) => {
      const value = totals.get(meter) ?? 0
      return value === 0 ? [] : [{
        _tag: "ReportUsage" as const,
        tenantId,
        meter: eventName,
        value,
        identifier: `${tenantId}:${meter}:${day}`,
        timestamp: now
      }]
    })
    yield* jobs.enqueue(effectJobs(reports, { provider: "usage", providerEventId: `${tenantId}:${day}` }, now))
    return reports.length
  })

/**
 * Metered billing: once a day, each tenant whose plan meters usage
 * (Plan.usageMeters) and who pays through Stripe gets the previous UTC day's
 * usage of each metered quota meter, summed over its guilds, reported as one
 * meter event. The identifier names tenant, meter and day, so a rerun (or a
 * second replica) reports nothing twice: the job's key dedupes here, the
 * identifier at Stripe.
 */
export const reportMeteredUsage = Recurring.make({
  kind: "billing.report_usage",
  every: Duration.days(1),
  work: Effect.gen(function*() {
    const tenants = yield* TenantRepo
    const catalog = yield* PlanCatalog
    const now = yield* DateTime.now
    const day = DateTime.formatIsoDateUtc(DateTime.subtract(now, { days: 1 }))
    let reported = 0
    for (const tenant of yield* tenants.list({ limit: tenantsPerRun })) {
      const meters = catalog.plansByKey.get(tenant.planKey)?.usageMeters ?? {}
      if (Object.keys(meters).length > 0) reported += yield* reportTenant(tenant.id, meters, day, now)
    }
    yield* Effect.logInfo(`billing: ${reported} usage report(s) for ${day} enqueued`)
  })
})
