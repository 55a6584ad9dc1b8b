import { assert, layer } from "@effect/vitest"
import { DateTime, Effect, Layer, Option } from "effect"
import { DiscordRolesMemory, QuotaStoreMemory, RepositoriesMemory } from "../../adapters/memory/index.js"
import { notConfiguredStripeGateway } from "../../adapters/stripe/index.js"
import {
  Billing,
  billingEffectKinds,
  billingTimerKind,
  effectJobs,
  JobHandlers,
  Jobs,
  JobWorker,
  PlanCatalog,
  PlanKey,
  StripeGateway,
  TenantRepo
} from "../../core/index.js"
import { makeTenant } from "../support/fixtures.js"

const TestLayer = Billing.layer.pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      RepositoriesMemory,
      QuotaStoreMemory,
      DiscordRolesMemory,
      Layer.succeed(StripeGateway, notConfiguredStripeGateway),
      PlanCatalog.builtin
    )
  )
)

layer(TestLayer)("the SetTenantPlan job", (it) => {
  it.effect("sets a catalog plan, and dead-letters a plan the catalog does not have, leaving the tenant's plan", () =>
    Effect.gen(function*() {
      const tenants = yield* TenantRepo
      const tenant = makeTenant({ planKey: "free" })
      yield* tenants.insert(tenant)
      const now = yield* DateTime.now
      const setPlan = (planKey: string, eventId: string) =>
        Effect.flatMap(Jobs, (jobs) =>
          jobs.enqueue(
            effectJobs([{ _tag: "SetTenantPlan", tenantId: tenant.id, planKey: PlanKey.make(planKey) }], {
              provider: "stripe",
              providerEventId: eventId
            }, now)
          ))
      const runJobs = JobWorker.runOnce().pipe(
        Effect.provide(JobHandlers.layer(...Object.values(billingEffectKinds), billingTimerKind))
      )

      yield* setPlan("premium", "evt_1")
      yield* runJobs
      assert.strictEqual(Option.getOrThrow(yield* tenants.findById(tenant.id)).planKey, "premium")

      yield* setPlan("retired", "evt_2")
      yield* runJobs
      assert.strictEqual(Option.getOrThrow(yield* tenants.findById(tenant.id)).planKey, "premium")
      const [dead] = yield* Effect.flatMap(Jobs, (jobs) => jobs.list({ status: "dead", limit: 10 }))
      assert.strictEqual(dead?.kind, "billing.SetTenantPlan")
      assert.include(dead?.lastError ?? "", "plan 'retired' is not in the plan catalog")
    }))
})
