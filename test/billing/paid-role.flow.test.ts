import { assert, layer } from "@effect/vitest"
import { DateTime, Duration, Effect, Option } from "effect"
import { DiscordRolesMemoryControl } from "../../adapters/memory/index.js"
import {
  Billing,
  BillingLedger,
  Currency,
  Jobs,
  type MemberRoleSubject,
  PaidRoles,
  reconcileGuildKind,
  subjectKey
} from "../../core/index.js"
import { scheduleHousekeeping } from "../../programs/Housekeeping.js"
import {
  advanceBy,
  advanceTo,
  billingRuntimes,
  drainJobs,
  holdsRole,
  jobsOf,
  newRoleId,
  paymentFailed,
  polarRoleAndMember,
  roleChangesOf,
  startClock,
  stateChanged,
  tenantWithGuild
} from "../support/billing.js"

/**
 * A member's paid role through Billing, PaidRoles and the job worker, against
 * Discord in memory: granted once however often the provider says so, kept
 * while canceled, revoked when it ends; a member who left, a rate limit and a
 * permission the bot lacks; reconciliation; the plan's paid-role limit.
 */

const activeRole = Effect.gen(function*() {
  yield* startClock
  const { guildId, tenantId } = yield* tenantWithGuild("premium")
  const subject = yield* polarRoleAndMember(tenantId, guildId)
  return subject
})

const activate = (subject: MemberRoleSubject) =>
  Effect.flatMap(
    DateTime.now,
    (at) => Effect.flatMap(Billing, (billing) => billing.ingest(stateChanged(subject, { status: "active", at })))
  )

const statusOf = (subject: MemberRoleSubject) =>
  Effect.flatMap(BillingLedger, (ledger) => ledger.findSubscription(subject.tenantId, subjectKey(subject))).pipe(
    Effect.map((state) => Option.getOrThrow(state).status)
  )

const grantJob = (subject: MemberRoleSubject) =>
  Effect.map(jobsOf(subject.tenantId, "billing.GrantRole"), (jobs) => {
    assert.strictEqual(jobs.length, 1)
    return jobs[0]!
  })

for (const runtime of await billingRuntimes()) {
  layer(runtime.layer(), { timeout: 120_000 })(`paid role flow on ${runtime.name}`, (it) => {
    it.effect("active → granted once, even when the webhook comes twice; canceled keeps it; ended revokes it", () =>
      Effect.gen(function*() {
        const billing = yield* Billing
        const subject = yield* activeRole
        const webhook = stateChanged(subject, { status: "active", at: yield* DateTime.now })
        assert.strictEqual(yield* billing.ingest(webhook), "recorded")
        assert.strictEqual(yield* billing.ingest(webhook), "duplicate")
        yield* drainJobs
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 1, revokes: 0 })
        assert.isTrue(yield* holdsRole(subject))
        assert.strictEqual((yield* grantJob(subject)).status, "done")

        yield* advanceBy(Duration.days(3))
        const canceledAt = yield* DateTime.now
        yield* billing.ingest(stateChanged(subject, { status: "active", at: canceledAt, cancelAtPeriodEnd: true }))
        yield* drainJobs
        assert.strictEqual(yield* statusOf(subject), "canceled")
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 1, revokes: 0 })
        assert.isTrue(yield* holdsRole(subject))

        yield* advanceBy(Duration.days(27))
        yield* billing.ingest(stateChanged(subject, { status: "ended", at: yield* DateTime.now }))
        yield* drainJobs
        assert.strictEqual(yield* statusOf(subject), "ended")
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 1, revokes: 1 })
        assert.isFalse(yield* holdsRole(subject))
      }))

    it.effect("a failed renewal: the role is kept through the role's grace, the member told, then revoked", () =>
      Effect.gen(function*() {
        const billing = yield* Billing
        const subject = yield* activeRole // graceDays 3
        yield* activate(subject)
        yield* drainJobs
        yield* advanceBy(Duration.days(30))
        const failedAt = yield* DateTime.now
        yield* billing.ingest(paymentFailed(subject, failedAt))
        const [notice] = yield* jobsOf(subject.tenantId, "billing.Notify", ["pending"])
        assert.deepStrictEqual(
          notice &&
            (({ guildId, kind, userId }) => ({ guildId, kind, userId }))(notice.payload as Record<string, unknown>),
          { guildId: subject.guildId, kind: "payment_failed", userId: subject.userId }
        )
        yield* drainJobs
        assert.strictEqual(yield* statusOf(subject), "past_due")
        assert.isTrue(yield* holdsRole(subject))

        yield* advanceTo(DateTime.addDuration(failedAt, Duration.days(3)))
        yield* drainJobs
        assert.strictEqual(yield* statusOf(subject), "ended")
        assert.isFalse(yield* holdsRole(subject))
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 1, revokes: 1 })
      }))

    it.effect("a member who left: the grant job completes quietly, and the role is granted again on rejoin", () =>
      Effect.gen(function*() {
        const control = yield* DiscordRolesMemoryControl
        const subject = yield* activeRole
        yield* control.removeMember(subject.guildId, subject.userId)
        yield* activate(subject)
        yield* drainJobs
        const job = yield* grantJob(subject)
        assert.deepStrictEqual({ status: job.status, attempts: job.attempts }, { status: "done", attempts: 1 })
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 0, revokes: 0 })

        yield* control.addMember(subject.guildId, subject.userId)
        assert.strictEqual(yield* (yield* PaidRoles).regrant(subject.tenantId, subject.guildId, subject.userId), 1)
        yield* drainJobs
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 1, revokes: 0 })
        assert.isTrue(yield* holdsRole(subject))
      }))

    it.effect("rate-limited by Discord: retried no sooner than Retry-After, then granted", () =>
      Effect.gen(function*() {
        const control = yield* DiscordRolesMemoryControl
        const subject = yield* activeRole
        yield* drainJobs // nothing of an earlier test may take the programmed failure
        yield* control.failNext("rate_limited", { retryAfterMs: 90_000 })
        const limitedAt = yield* DateTime.now
        yield* activate(subject)
        yield* drainJobs
        const retried = yield* grantJob(subject)
        assert.strictEqual(retried.status, "pending")
        assert.include(retried.lastError ?? "", "rate-limited")
        assert.isTrue(DateTime.greaterThanOrEqualTo(retried.runAt, DateTime.addDuration(limitedAt, "90 seconds")))
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 0, revokes: 0 })

        // A millisecond before it is due the worker leaves it alone.
        yield* advanceTo(DateTime.subtract(retried.runAt, { millis: 1 }))
        yield* drainJobs
        assert.strictEqual((yield* grantJob(subject)).status, "pending")
        yield* advanceTo(retried.runAt)
        yield* drainJobs
        const granted = yield* grantJob(subject)
        assert.deepStrictEqual({ status: granted.status, attempts: granted.attempts }, { status: "done", attempts: 2 })
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 1, revokes: 0 })
      }))

    it.effect("missing permissions: dead-lettered with the remediation, never retried", () =>
      Effect.gen(function*() {
        const control = yield* DiscordRolesMemoryControl
        const subject = yield* activeRole
        yield* drainJobs
        yield* control.failNext("missing_permissions")
        yield* activate(subject)
        yield* drainJobs
        const dead = yield* grantJob(subject)
        assert.strictEqual(dead.status, "dead")
        assert.strictEqual(dead.attempts, 1)
        assert.include(dead.lastError ?? "", "Give the bot Manage Roles")

        yield* advanceBy(Duration.days(2))
        yield* drainJobs
        const still = yield* grantJob(subject)
        assert.deepStrictEqual({ status: still.status, attempts: still.attempts }, { status: "dead", attempts: 1 })
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 0, revokes: 0 })
        const deadLetters = yield* (yield* Jobs).list({ status: "dead", tenantId: subject.tenantId, limit: 10 })
        assert.deepStrictEqual(deadLetters.map((job) => job.id), [dead.id])
      }))

    it.effect("reconciliation gives the role back to a member with access and takes it from one without", () =>
      Effect.gen(function*() {
        const billing = yield* Billing
        const control = yield* DiscordRolesMemoryControl
        const paidRoles = yield* PaidRoles
        const entitled = yield* activeRole
        const formerId = (yield* polarRoleAndMember(entitled.tenantId, entitled.guildId)).userId
        const former: MemberRoleSubject = { ...entitled, userId: formerId }
        yield* control.addMember(former.guildId, former.userId)
        yield* activate(entitled)
        yield* activate(former)
        yield* drainJobs
        yield* advanceBy(Duration.days(1))
        yield* billing.ingest(stateChanged(former, { status: "ended", at: yield* DateTime.now }))
        yield* drainJobs
        assert.isTrue(yield* holdsRole(entitled))
        assert.isFalse(yield* holdsRole(former))

        // Someone edits roles by hand in Discord: the entitled member loses the role, the former one gets it.
        yield* control.addMember(entitled.guildId, entitled.userId, [])
        yield* control.addMember(former.guildId, former.userId, [former.roleId])
        const fixes = yield* paidRoles.reconcileGuild(entitled.tenantId, entitled.guildId)
        assert.deepStrictEqual(fixes, { granted: 1, revoked: 1 })
        yield* drainJobs
        assert.isTrue(yield* holdsRole(entitled))
        assert.isFalse(yield* holdsRole(former))

        // In line now: another run finds nothing to fix.
        yield* advanceBy(Duration.seconds(1))
        assert.deepStrictEqual(yield* paidRoles.reconcileGuild(entitled.tenantId, entitled.guildId), {
          granted: 0,
          revoked: 0
        })
      }))

    it.effect("the daily reconciliation, run from the outbox, puts a hand-removed role back", () =>
      Effect.gen(function*() {
        const control = yield* DiscordRolesMemoryControl
        const subject = yield* activeRole
        yield* activate(subject)
        yield* drainJobs
        yield* control.addMember(subject.guildId, subject.userId, [])
        yield* scheduleHousekeeping
        const day = Duration.toMillis(Duration.days(1))
        const nextMidnight = (Math.floor((yield* DateTime.now).epochMillis / day) + 1) * day
        yield* drainJobs
        assert.isFalse(yield* holdsRole(subject))
        yield* advanceTo(DateTime.unsafeMake(nextMidnight))
        yield* drainJobs
        assert.isTrue(yield* holdsRole(subject))
        assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 2, revokes: 0 })
        assert.strictEqual((yield* jobsOf(subject.tenantId, reconcileGuildKind.kind, ["done"])).length, 1)
      }))

    it.effect("a new paid role beyond the plan's maxPaidRoles is refused; changing an existing one is not", () =>
      Effect.gen(function*() {
        yield* startClock
        const paidRoles = yield* PaidRoles
        const { guildId, tenantId } = yield* tenantWithGuild("basic") // maxPaidRoles 2
        const input = {
          name: "Tier",
          price: { minor: 30_000, currency: Currency.make("VND") },
          stripePriceId: null,
          polarProductId: null,
          sepayPassDays: 30,
          graceDays: 3
        }
        const [first, second] = [newRoleId(), newRoleId()]
        yield* paidRoles.put(tenantId, guildId, first, input)
        yield* paidRoles.put(tenantId, guildId, second, input)
        const refused = yield* Effect.flip(paidRoles.put(tenantId, guildId, newRoleId(), input))
        assert.strictEqual(refused._tag, "PaidRoleLimitReached")
        assert.deepStrictEqual(
          refused._tag === "PaidRoleLimitReached" ? { planKey: refused.planKey, limit: refused.limit } : null,
          { planKey: "basic", limit: 2 }
        )
        const renamed = yield* paidRoles.put(tenantId, guildId, second, { ...input, name: "Tier two" })
        assert.strictEqual(renamed.name, "Tier two")
        assert.strictEqual((yield* paidRoles.list(tenantId, guildId)).length, 2)
      }))
  })
}
