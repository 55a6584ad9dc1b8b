import { Effect, Option } from "effect"
import { Billing } from "../billing/Billing.js"
import { effectJobKind } from "../billing/BillingJobs.js"
import type { TenantId } from "../ids.js"
import type { JobHandler } from "../jobs/JobHandlers.js"
import { Offboarding, OffboardingPolicy } from "./Offboarding.js"

/** A tenant's plan subscription in these states is being paid for (again). */
const paying = new Set(["trialing", "active", "past_due"])

/**
 * Billing's dunning, followed by the non-payment flow (when
 * OffboardingPolicy.nonPayment is "offboard"): once the tenant's plan goes
 * read-only the flow starts (export offered now, retire when the read-only
 * period ends, purge after the retention window); once it is paid again the
 * flow is cancelled (a retire undone). Wraps billing's read-only job handlers,
 * so it runs exactly when billing's own effect did, at least once.
 */
export const followBilling = Effect.gen(function*() {
  const billing = yield* Billing
  const offboarding = yield* Offboarding
  const policy = yield* OffboardingPolicy

  const planSubscription = (tenantId: TenantId) =>
    Effect.map(
      Effect.option(billing.tenantBilling(tenantId)),
      Option.flatMap((view) => view.subscription)
    )

  const runningFlow = (tenantId: TenantId) =>
    Effect.map(offboarding.list(tenantId), (flows) => flows.find((flow) => flow.status === "running"))

  const onReadOnly = (tenantId: TenantId) =>
    Effect.gen(function*() {
      const subscription = yield* planSubscription(tenantId)
      if (Option.isNone(subscription) || subscription.value.status !== "read_only") return
      if ((yield* runningFlow(tenantId)) !== undefined) return
      yield* offboarding.start(tenantId, {
        kind: "non_payment",
        startedBy: "billing",
        retireAt: subscription.value.readOnlyEndsAt ?? undefined
      }).pipe(
        Effect.tap(({ flow }) =>
          Effect.logInfo(`offboarding: non-payment flow ${flow.id} started for tenant ${tenantId}`)
        ),
        Effect.catchTag("FlowAlreadyRunning", () => Effect.void),
        Effect.orDie
      )
    })

  const onPaid = (tenantId: TenantId) =>
    Effect.gen(function*() {
      const subscription = yield* planSubscription(tenantId)
      if (Option.isNone(subscription) || !paying.has(subscription.value.status)) return
      const flow = yield* runningFlow(tenantId)
      if (flow === undefined || flow.kind !== "non_payment") return
      yield* offboarding.cancel(tenantId, flow.id, "billing").pipe(
        Effect.catchTags({ FlowNotCancellable: () => Effect.void, FlowNotFound: () => Effect.void })
      )
    })

  const after =
    (handler: JobHandler | undefined, follow: (tenantId: TenantId) => Effect.Effect<void>): JobHandler => (job) =>
      Effect.zipRight(
        handler === undefined ? Effect.void : handler(job),
        job.tenantId === null ? Effect.void : follow(job.tenantId)
      )

  return (handlers: ReadonlyMap<string, JobHandler>): ReadonlyMap<string, JobHandler> => {
    if (policy.nonPayment !== "offboard") return handlers
    const enter = effectJobKind("EnterReadOnly")
    const exit = effectJobKind("ExitReadOnly")
    return new Map([
      ...handlers,
      [enter, after(handlers.get(enter), onReadOnly)],
      [exit, after(handlers.get(exit), onPaid)]
    ])
  }
})
