import { DateTime, Duration, Effect, Layer, Option, TestClock, type TestServices } from "effect"
import { randomUUID } from "node:crypto"
import { DiscordRolesMemoryControl, type MemoryStore } from "../../adapters/memory/index.js"
import { PolicyStoreSql, QuotaStoreSql, RepositoriesSql } from "../../adapters/postgres/index.js"
import {
  type BillingEvent,
  Currency,
  type GuildId,
  type Job,
  Jobs,
  type JobStatus,
  JobWorker,
  type MemberRoleSubject,
  PaidRoles,
  PlanKey,
  RoleId,
  Tenancy,
  type TenantId,
  UserId,
  type VerifiedWebhook
} from "../../core/index.js"
import { CoreLive } from "../../programs/Core.js"
import { TestOutsideSystems, TestRuntime } from "../../programs/TestRuntime.js"
import { newGuildId, ownerId } from "./fixtures.js"
import { sqlDatabases, type Store } from "./stores.js"

/**
 * The real composition (CoreLive: Billing, PaidRoles, the job handlers) over
 * memory, PGlite and the Postgres server, with Discord in memory, for the
 * billing flow tests. The SQL runtimes run on the test's TestClock too: the
 * job store takes `now` from the worker, never from SQL now().
 */

const SqlStores = Layer.mergeAll(RepositoriesSql, QuotaStoreSql, PolicyStoreSql)

/** CoreLive over a database (anything that provides the SqlClient), with the test's outside systems. */
export const sqlRuntime = <R>(database: Layer.Layer<R, unknown>) =>
  CoreLive.pipe(
    Layer.provideMerge(SqlStores),
    Layer.provideMerge(TestOutsideSystems),
    Layer.provideMerge(database),
    Layer.orDie
  )

/** What every runtime here provides (the memory runtime's store and test services aside). */
export type FlowServices = Exclude<Layer.Layer.Success<typeof TestRuntime>, TestServices.TestServices | MemoryStore>

export const billingRuntimes = async (): Promise<ReadonlyArray<Store<FlowServices>>> => [
  { name: "memory", layer: () => Layer.orDie(TestRuntime) },
  ...(await sqlDatabases()).map((database) => ({
    name: database.name,
    layer: (): Layer.Layer<FlowServices> => sqlRuntime(database.layer())
  }))
]

let snowflakes = 0
const snowflake = () =>
  `2${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}${String(++snowflakes).padStart(9, "0")}`
export const newUserId = () => UserId.make(snowflake())
export const newRoleId = () => RoleId.make(snowflake())
/** Provider event ids are unique per provider across tenants: every test draws its own. */
export const newEventId = (prefix = "evt") => `${prefix}_${randomUUID()}`

/** Flows start here (TestClock starts at the epoch); the clock only moves forward afterwards. */
const flowStart = DateTime.unsafeMake("2026-01-05T00:00:00Z")
export const startClock = Effect.flatMap(
  TestClock.currentTimeMillis,
  (now) => now < flowStart.epochMillis ? TestClock.setTime(flowStart.epochMillis) : Effect.void
)

/** Moves the TestClock to `at` (never back). */
export const advanceTo = (at: DateTime.Utc) =>
  Effect.flatMap(
    TestClock.currentTimeMillis,
    (now) => TestClock.adjust(Duration.millis(Math.max(0, at.epochMillis - now)))
  )

export const advanceBy = (duration: Duration.DurationInput) => TestClock.adjust(duration)

/** Runs the worker until nothing is due at the clock's present time. */
export const drainJobs = Effect.gen(function*() {
  let handled = 0
  for (;;) {
    const claimed = yield* JobWorker.runOnce({ workerId: "flow-worker", batchSize: 50 })
    if (claimed === 0) return handled
    handled += claimed
  }
})

/** A tenant on `planKey` with one installed guild. */
export const tenantWithGuild = (planKey: string) =>
  Effect.gen(function*() {
    const tenancy = yield* Tenancy
    const tenant = yield* tenancy.createTenant({ name: "Flow", planKey: PlanKey.make(planKey) })
    const guildId = newGuildId()
    yield* tenancy.installGuild({ tenantId: tenant.id, guildId, name: "Flow guild", ownerId })
    return { tenantId: tenant.id, guildId }
  }).pipe(Effect.orDie)

/** A role sold through Polar in the guild, and a member of the guild (holding nothing yet) to buy it. */
export const polarRoleAndMember = (
  tenantId: TenantId,
  guildId: GuildId,
  options: { readonly graceDays?: number } = {}
) =>
  Effect.gen(function*() {
    const roleId = newRoleId()
    const userId = newUserId()
    yield* (yield* PaidRoles).put(tenantId, guildId, roleId, {
      name: "Supporter",
      price: { minor: 500, currency: Currency.make("USD") },
      stripePriceId: null,
      polarProductId: randomUUID(),
      sepayPassDays: null,
      graceDays: options.graceDays ?? 3
    }).pipe(Effect.orDie)
    yield* (yield* DiscordRolesMemoryControl).addMember(guildId, userId)
    const subject: MemberRoleSubject = { _tag: "MemberRole", tenantId, guildId, roleId, userId }
    return subject
  })

/** A verified webhook carrying `event`, as a provider adapter would hand it over. */
export const webhookOf = (event: Exclude<BillingEvent, { _tag: "timer.fired" }>, type: string): VerifiedWebhook => ({
  _tag: "Event",
  receipt: {
    provider: event.provider,
    providerEventId: event.providerEventId,
    type,
    tenantId: event.subject.tenantId,
    payload: JSON.stringify({ id: event.providerEventId, type }),
    receivedAt: event.occurredAt
  },
  event
})

/** subscription.state_changed for `subject` at `at` (its version is `at`, as adapters derive it). */
export const stateChanged = (
  subject: BillingEvent["subject"],
  options: {
    readonly provider?: "stripe" | "polar"
    readonly status: "incomplete" | "trialing" | "active" | "past_due" | "paused" | "ended"
    readonly at: DateTime.Utc
    readonly eventId?: string
    readonly currentPeriodEnd?: DateTime.Utc | null
    readonly cancelAtPeriodEnd?: boolean
    readonly planKey?: PlanKey | null
  }
): VerifiedWebhook =>
  webhookOf({
    _tag: "subscription.state_changed",
    provider: options.provider ?? (subject._tag === "TenantPlan" ? "stripe" : "polar"),
    providerEventId: options.eventId ?? newEventId(),
    occurredAt: options.at,
    subject,
    correlationId: "sub_flow",
    amount: null,
    status: options.status,
    currentPeriodEnd: options.currentPeriodEnd === undefined
      ? DateTime.addDuration(options.at, Duration.days(30))
      : options.currentPeriodEnd,
    cancelAtPeriodEnd: options.cancelAtPeriodEnd ?? false,
    version: options.at.epochMillis,
    planKey: options.planKey ?? null
  }, "subscription.updated")

export const paymentFailed = (subject: BillingEvent["subject"], at: DateTime.Utc): VerifiedWebhook =>
  webhookOf({
    _tag: "payment.failed",
    provider: subject._tag === "TenantPlan" ? "stripe" : "polar",
    providerEventId: newEventId(),
    occurredAt: at,
    subject,
    correlationId: "sub_flow",
    amount: null,
    requiresAction: false
  }, "invoice.payment_failed")

export const paymentSucceeded = (subject: BillingEvent["subject"], at: DateTime.Utc): VerifiedWebhook =>
  webhookOf({
    _tag: "payment.succeeded",
    provider: subject._tag === "TenantPlan" ? "stripe" : "polar",
    providerEventId: newEventId(),
    occurredAt: at,
    subject,
    correlationId: "sub_flow",
    amount: null,
    paidThrough: DateTime.addDuration(at, Duration.days(30))
  }, "invoice.paid")

/** The tenant's jobs of one kind in each status. */
export const jobsOf = (
  tenantId: TenantId,
  kind: string,
  statuses: ReadonlyArray<JobStatus> = ["pending", "running", "done", "dead"]
) =>
  Effect.flatMap(Jobs, (jobs) =>
    Effect.map(
      Effect.forEach(statuses, (status) => jobs.list({ status, kind, tenantId, limit: 1_000 })),
      (lists): ReadonlyArray<Job> => lists.flat()
    ))

/** Every job the tenant has, whatever its state: what a duplicate must not add to. */
export const allJobsOf = (tenantId: TenantId) =>
  Effect.flatMap(Jobs, (jobs) =>
    Effect.map(
      Effect.forEach(
        ["pending", "running", "done", "dead"] as const,
        (status) => jobs.list({ status, tenantId, limit: 10_000 })
      ),
      (lists) => lists.flat()
    ))

/** The effective grants and revokes Discord recorded for this member and role. */
export const roleChangesOf = (subject: MemberRoleSubject) =>
  Effect.map(
    Effect.flatMap(DiscordRolesMemoryControl, (control) => control.changes),
    (changes) => {
      const mine = changes.filter((change) =>
        change.guildId === subject.guildId && change.userId === subject.userId && change.roleId === subject.roleId
      )
      return {
        grants: mine.filter((change) => change.action === "grant").length,
        revokes: mine.filter((change) => change.action === "revoke").length
      }
    }
  )

/** Whether the member holds the role now. */
export const holdsRole = (subject: MemberRoleSubject) =>
  Effect.map(
    Effect.flatMap(DiscordRolesMemoryControl, (control) => control.roles(subject.guildId, subject.userId)),
    (roles) => Option.exists(roles, (held) => held.includes(subject.roleId))
  )
