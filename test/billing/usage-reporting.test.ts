import { assert, layer } from "@effect/vitest"
import { DateTime, Effect, Layer, Option, TestClock } from "effect"
import { DiscordRolesMemory, QuotaStoreMemory, RepositoriesMemory } from "../../adapters/memory/index.js"
import { notConfiguredStripeGateway } from "../../adapters/stripe/index.js"
import {
  Billing,
  billingEffectKinds,
  type BillingEvent,
  BillingLedger,
  billingTimerKind,
  builtinPlans,
  dunningPolicyForPlan,
  JobHandlers,
  Jobs,
  JobWorker,
  Plan,
  PlanCatalog,
  PlanKey,
  QuotaStore,
  reportMeteredUsage,
  StripeGateway,
  type StripeGatewayService,
  Subscription,
  type TenantId,
  TenantRepo
} from "../../core/index.js"
import { install, makeTenant, newGuildId } from "../support/fixtures.js"

/** Premium with AI tokens metered to Stripe; basic meters nothing. */
const premium = builtinPlans.find((plan) => plan.key === "premium")!
const meteredPremium = Plan.make({
  ...premium,
  stripePriceId: "price_premium",
  usageMeters: { ai_tokens: "guildhall_ai_tokens" }
})

const reported: Array<Parameters<StripeGatewayService["reportUsage"]>[0]> = []
const RecordingStripe = Layer.succeed(StripeGateway, {
  ...notConfiguredStripeGateway,
  reportUsage: (request) => Effect.sync(() => void reported.push(request))
})

const TestLayer = Billing.layer.pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      RepositoriesMemory,
      QuotaStoreMemory,
      DiscordRolesMemory,
      RecordingStripe,
      PlanCatalog.layer({ plans: [meteredPremium] })
    )
  )
)

const day = 86_400_000
const today = Date.UTC(2026, 10, 23, 9)

/** A tenant on `planKey` with one guild, paying through Stripe (a customer from checkout) unless `stripe` is false. */
const payingTenant = (planKey: string, stripe = true) =>
  Effect.gen(function*() {
    const tenant = makeTenant({ planKey })
    yield* (yield* TenantRepo).insert(tenant)
    const guildId = newGuildId()
    yield* install({ tenantId: tenant.id, guildId })
    if (stripe) {
      const checkout: BillingEvent = {
        _tag: "checkout.completed",
        provider: "stripe",
        providerEventId: `evt_checkout_${tenant.id}`,
        occurredAt: DateTime.unsafeMake(today - 30 * day),
        subject: { _tag: "TenantPlan", tenantId: tenant.id, planKey: PlanKey.make(planKey) },
        correlationId: "sub_1",
        amount: null,
        customerId: `cus_${tenant.id.slice(0, 8)}`
      }
      yield* (yield* BillingLedger).record({
        receipt: {
          provider: "stripe",
          providerEventId: checkout.providerEventId,
          type: "checkout.session.completed",
          tenantId: tenant.id,
          payload: "{}",
          receivedAt: checkout.occurredAt
        },
        outcome: "applied",
        note: null,
        transition: Option.some({
          subject: checkout.subject,
          decide: (current) => ({
            transition: Subscription.transition(
              current,
              checkout,
              dunningPolicyForPlan(meteredPremium),
              checkout.occurredAt
            ),
            jobs: []
          })
        }),
        jobs: []
      })
    }
    return { tenantId: tenant.id, guildId }
  })

const useAiTokens = (
  tenantId: TenantId,
  guildId: ReturnType<typeof newGuildId>,
  amount: number,
  millis: number,
  key: string
) =>
  Effect.flatMap(QuotaStore, (store) =>
    store.consume({
      tenantId,
      guildId,
      charges: [{ meter: "ai_tokens", scopeKey: guildId, window: "day", limit: -1, amount }],
      idempotencyKey: key,
      now: DateTime.unsafeMake(millis)
    }))

const pendingReports = Effect.flatMap(
  Jobs,
  (jobs) => jobs.list({ status: "pending", kind: "billing.ReportUsage", limit: 100 })
)

layer(TestLayer)("metered usage reporting", (it) => {
  it.effect("reports yesterday's metered usage once per tenant, meter and day, and the job reaches Stripe", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(today)
      const metered = yield* payingTenant("premium")
      const second = newGuildId()
      yield* install({ tenantId: metered.tenantId, guildId: second })
      const unmetered = yield* payingTenant("basic")
      const notOnStripe = yield* payingTenant("premium", false)
      const yesterday = today - day
      yield* useAiTokens(metered.tenantId, metered.guildId, 1200, yesterday, "a")
      yield* useAiTokens(metered.tenantId, second, 300, yesterday, "b")
      yield* useAiTokens(metered.tenantId, metered.guildId, 999, today, "today: not yet reported")
      yield* useAiTokens(unmetered.tenantId, unmetered.guildId, 50, yesterday, "c")
      yield* useAiTokens(notOnStripe.tenantId, notOnStripe.guildId, 70, yesterday, "d")

      yield* reportMeteredUsage.work
      yield* reportMeteredUsage.work // a second replica, or a rerun, reports nothing twice
      const jobs = yield* pendingReports
      assert.strictEqual(jobs.length, 1)
      assert.strictEqual(jobs[0]!.tenantId, metered.tenantId)
      assert.deepInclude(jobs[0]!.payload as object, {
        meter: "guildhall_ai_tokens",
        value: 1500,
        identifier: `${metered.tenantId}:ai_tokens:2026-11-22`
      })

      yield* JobWorker.runOnce().pipe(
        Effect.provide(JobHandlers.layer(...Object.values(billingEffectKinds), billingTimerKind))
      )
      assert.deepStrictEqual(reported, [{
        eventName: "guildhall_ai_tokens",
        customerId: `cus_${metered.tenantId.slice(0, 8)}`,
        value: 1500,
        identifier: `${metered.tenantId}:ai_tokens:2026-11-22`,
        timestamp: DateTime.unsafeMake(today)
      }])
      assert.deepStrictEqual(yield* pendingReports, [])
    }))
})
