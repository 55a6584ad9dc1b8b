import { assert, layer } from "@effect/vitest"
import { DateTime, Duration, Effect, Option } from "effect"
import {
  Billing,
  type GuildId,
  Offboarding,
  PlanKey,
  PolicyStore,
  type TenantId,
  TenantRepo
} from "../../core/index.js"
import {
  advanceBy,
  advanceTo,
  billingRuntimes,
  drainJobs,
  jobsOf,
  paymentFailed,
  paymentSucceeded,
  startClock,
  stateChanged,
  tenantWithGuild
} from "../support/billing.js"

/**
 * A tenant's plan through Billing and the job worker, as a Stripe webhook
 * would drive it: trial, a failed payment, grace, read-only, the end; and a
 * payment during grace that restores the plan without read-only. The
 * built-in plans' dunning is 7 days of grace, then 14 read-only; read-only
 * starts the non-payment offboarding flow (GUILDHALL_NONPAYMENT=offboard).
 */

const premium = PlanKey.make("premium")

const tenantNow = (tenantId: TenantId) =>
  Effect.map(Effect.flatMap(TenantRepo, (tenants) => tenants.findById(tenantId)), Option.getOrThrow)

const policyPlan = (guildId: GuildId) =>
  Effect.map(
    Effect.flatMap(PolicyStore, (store) => store.load(guildId)),
    (source) => Option.map(source, ({ tenant }) => ({ planKey: tenant.planKey, status: tenant.status }))
  )

const subscriptionOf = (tenantId: TenantId) =>
  Effect.flatMap(Billing, (billing) => billing.tenantBilling(tenantId)).pipe(
    Effect.orDie,
    Effect.map(({ subscription }) => Option.getOrThrow(subscription))
  )

/** A tenant on the free plan that started a premium trial, applied by the worker. */
const trialingTenant = Effect.gen(function*() {
  yield* startClock
  const billing = yield* Billing
  const { guildId, tenantId } = yield* tenantWithGuild("free")
  const subject = { _tag: "TenantPlan", tenantId, planKey: premium } as const
  const trialStart = yield* DateTime.now
  const outcome = yield* billing.ingest(
    stateChanged(subject, {
      status: "trialing",
      at: trialStart,
      planKey: premium,
      currentPeriodEnd: DateTime.addDuration(trialStart, Duration.days(14))
    })
  )
  assert.strictEqual(outcome, "recorded")
  yield* drainJobs
  return { guildId, tenantId, subject }
})

/** An hour into the trial the payment fails; the worker runs its effects. Answers when grace ends. */
const failedHourIntoTrial = (
  subject: { readonly _tag: "TenantPlan"; readonly tenantId: TenantId; readonly planKey: typeof premium }
) =>
  Effect.gen(function*() {
    yield* advanceBy(Duration.hours(1))
    yield* (yield* Billing).ingest(paymentFailed(subject, yield* DateTime.now))
    yield* drainJobs
    return Option.getOrThrow(Option.fromNullable((yield* subscriptionOf(subject.tenantId)).graceEndsAt))
  })

for (const runtime of await billingRuntimes()) {
  layer(runtime.layer(), { timeout: 120_000 })(`tenant plan flow on ${runtime.name}`, (it) => {
    it.effect("trial → premium; failed payment → grace, read-only (non-payment flow started), ended → free plan, retired", () =>
      Effect.gen(function*() {
        const billing = yield* Billing
        const { guildId, subject, tenantId } = yield* trialingTenant

        assert.strictEqual((yield* tenantNow(tenantId)).planKey, premium)
        assert.deepStrictEqual(yield* policyPlan(guildId), Option.some({ planKey: premium, status: "active" }))
        assert.strictEqual((yield* subscriptionOf(tenantId)).status, "trialing")

        // The renewal fails: grace with full access, and the tenant's admins are told.
        yield* advanceBy(Duration.hours(1))
        const failedAt = yield* DateTime.now
        assert.strictEqual(yield* billing.ingest(paymentFailed(subject, failedAt)), "recorded")
        const notices = yield* jobsOf(tenantId, "billing.Notify", ["pending"])
        assert.strictEqual(notices.length, 1)
        assert.strictEqual((notices[0]!.payload as { kind: string }).kind, "payment_failed")
        yield* drainJobs
        const pastDue = yield* subscriptionOf(tenantId)
        assert.strictEqual(pastDue.status, "past_due")
        const graceEndsAt = Option.getOrThrow(Option.fromNullable(pastDue.graceEndsAt))
        assert.deepStrictEqual(graceEndsAt, DateTime.addDuration(failedAt, Duration.days(7)))
        assert.strictEqual((yield* tenantNow(tenantId)).status, "active")
        assert.strictEqual((yield* jobsOf(tenantId, "billing.Notify", ["done"])).length, 1)

        // Just before grace ends nothing happens; once it has, the timer makes the tenant read-only.
        yield* advanceTo(DateTime.subtract(graceEndsAt, { seconds: 1 }))
        yield* drainJobs
        assert.strictEqual((yield* tenantNow(tenantId)).status, "active")
        yield* advanceTo(graceEndsAt)
        yield* drainJobs
        const readOnly = yield* subscriptionOf(tenantId)
        assert.strictEqual(readOnly.status, "read_only")
        assert.deepStrictEqual(
          { planKey: (yield* tenantNow(tenantId)).planKey, status: (yield* tenantNow(tenantId)).status },
          { planKey: premium, status: "read_only" }
        )
        assert.deepStrictEqual(yield* policyPlan(guildId), Option.some({ planKey: premium, status: "read_only" }))

        // Read-only started the non-payment flow: the export is offered now, the retire set for when read-only ends.
        const [flow] = yield* (yield* Offboarding).list(tenantId)
        assert.strictEqual(flow?.kind, "non_payment")
        assert.deepStrictEqual(flow?.steps.map((step) => step.name), ["export", "retire", "purge"])
        assert.isNotNull(flow?.steps[0]?.doneAt)

        // Read-only runs out: the subscription ends (the plan falls back to free) and the flow retires the tenant.
        const readOnlyEndsAt = Option.getOrThrow(Option.fromNullable(readOnly.readOnlyEndsAt))
        assert.deepStrictEqual(readOnlyEndsAt, DateTime.addDuration(graceEndsAt, Duration.days(14)))
        yield* advanceTo(readOnlyEndsAt)
        yield* drainJobs
        assert.strictEqual((yield* subscriptionOf(tenantId)).status, "ended")
        const ended = yield* tenantNow(tenantId)
        assert.deepStrictEqual({ planKey: ended.planKey, status: ended.status }, {
          planKey: PlanKey.make("free"),
          status: "retired"
        })
        assert.deepStrictEqual(
          yield* policyPlan(guildId),
          Option.some({ planKey: PlanKey.make("free"), status: "retired" })
        )
        // Every effect ran once and none is left failing.
        assert.deepStrictEqual(yield* jobsOf(tenantId, "billing.EnterReadOnly", ["pending", "running", "dead"]), [])
        assert.strictEqual((yield* jobsOf(tenantId, "billing.EnterReadOnly", ["done"])).length, 1)
        assert.strictEqual((yield* jobsOf(tenantId, "billing.ExitReadOnly", ["done"])).length, 1)
        assert.strictEqual((yield* jobsOf(tenantId, "billing.timer", ["dead"])).length, 0)
      }))

    it.effect("a payment while read-only restores the tenant: writable again on its paid plan", () =>
      Effect.gen(function*() {
        const billing = yield* Billing
        const { guildId, subject, tenantId } = yield* trialingTenant
        const graceEndsAt = yield* failedHourIntoTrial(subject)
        yield* advanceTo(graceEndsAt)
        yield* drainJobs
        assert.strictEqual((yield* tenantNow(tenantId)).status, "read_only")

        yield* advanceBy(Duration.days(3))
        yield* billing.ingest(paymentSucceeded(subject, yield* DateTime.now))
        yield* drainJobs
        assert.strictEqual((yield* subscriptionOf(tenantId)).status, "active")
        const tenant = yield* tenantNow(tenantId)
        assert.deepStrictEqual({ planKey: tenant.planKey, status: tenant.status }, {
          planKey: premium,
          status: "active"
        })
        assert.deepStrictEqual(yield* policyPlan(guildId), Option.some({ planKey: premium, status: "active" }))

        // The read-only timer armed before the payment comes due and changes nothing.
        yield* advanceBy(Duration.days(30))
        yield* drainJobs
        assert.strictEqual((yield* tenantNow(tenantId)).status, "active")
        assert.strictEqual((yield* jobsOf(tenantId, "billing.ExitReadOnly", ["done"])).length, 1)
        // The payment cancelled the non-payment flow read-only had started.
        const flows = yield* (yield* Offboarding).list(tenantId)
        assert.deepStrictEqual(flows.map((f) => [f.kind, f.status]), [["non_payment", "cancelled"]])
      }))

    it.effect("a payment during grace restores the subscription: no read-only when grace would have ended", () =>
      Effect.gen(function*() {
        const billing = yield* Billing
        const { guildId, subject, tenantId } = yield* trialingTenant
        const graceEndsAt = yield* failedHourIntoTrial(subject)

        yield* advanceBy(Duration.days(2))
        assert.strictEqual(yield* billing.ingest(paymentSucceeded(subject, yield* DateTime.now)), "recorded")
        yield* drainJobs
        assert.strictEqual((yield* subscriptionOf(tenantId)).status, "active")

        // The grace timer still comes due, but the subscription has moved on: it changes nothing.
        yield* advanceTo(DateTime.addDuration(graceEndsAt, Duration.days(1)))
        yield* drainJobs
        assert.strictEqual((yield* subscriptionOf(tenantId)).status, "active")
        const tenant = yield* tenantNow(tenantId)
        assert.deepStrictEqual({ planKey: tenant.planKey, status: tenant.status }, {
          planKey: premium,
          status: "active"
        })
        assert.deepStrictEqual(yield* policyPlan(guildId), Option.some({ planKey: premium, status: "active" }))
        assert.strictEqual((yield* jobsOf(tenantId, "billing.timer", ["done"])).length, 1)
        assert.deepStrictEqual(yield* jobsOf(tenantId, "billing.EnterReadOnly"), [])
      }))
  })
}
