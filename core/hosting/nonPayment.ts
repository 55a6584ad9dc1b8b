import { Effect, Option } from "effect"
import { Billing } from "../billing/Billing.js"
import { billingEffectKinds } from "../billing/BillingJobs.js"
import type { TenantId } from "../ids.js"
import { JobKind } from "../jobs/JobKind.js"
import type { Job } from "../ports/Jobs.js"
import { Offboarding } from "./Offboarding.js"
import { OffboardingPolicy } from "./offboardingPlan.js"

/** A tenant's plan subscription in these states is being paid for (again). */
const paying = new Set(["trialing", "active", "past_due"])

const planSubscription = (tenantId: TenantId) =>
  Effect.flatMap(Billing, (billing) =>
    Effect.map(
      Effect.option(billing.tenantBilling(tenantId)),
      Option.flatMap((view) => view.subscription)
    ))

const runningFlow = (tenantId: TenantId) =>
  Effect.flatMap(
    Offboarding,
    (offboarding) => Effect.map(offboarding.list(tenantId), (flows) => flows.find((flow) => flow.status === "running"))
  )

const onReadOnly = (tenantId: TenantId) =>
  Effect.gen(function*() {
    const subscription = yield* planSubscription(tenantId)
    if (Option.isNone(subscription) || subscription.value.status !== "read_only") return
    if ((yield* runningFlow(tenantId)) !== undefined) return
    yield* (yield* Offboarding).start(tenantId, {
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
    yield* (yield* Offboarding).cancel(tenantId, flow.id, "billing").pipe(
      Effect.catchTags({ FlowNotCancellable: () => Effect.void, FlowNotFound: () => Effect.void })
    )
  })

/** Follows up for the job's tenant when OffboardingPolicy.nonPayment is "offboard" ("downgrade": billing alone). */
const whenOffboarding = (job: Job, follow: (tenantId: TenantId) => Effect.Effect<void, never, Billing | Offboarding>) =>
  Effect.flatMap(
    OffboardingPolicy,
    (policy) => policy.nonPayment === "offboard" && job.tenantId !== null ? follow(job.tenantId) : Effect.void
  )

/**
 * Billing's dunning, followed by the non-payment flow: once the tenant's plan
 * goes read-only the flow starts (export offered now, retire when the
 * read-only period ends, purge after the retention window); once it is paid
 * again the flow is cancelled (a retire undone). Billing's read-only job
 * kinds with the follow-up after their effect, so it runs exactly when
 * billing's own effect did, at least once; they replace billing's own in the
 * list of kinds (programs/Housekeeping.ts).
 */
export const followBilling = {
  EnterReadOnly: JobKind.andThen(billingEffectKinds.EnterReadOnly, (_effect, job) => whenOffboarding(job, onReadOnly)),
  ExitReadOnly: JobKind.andThen(billingEffectKinds.ExitReadOnly, (_effect, job) => whenOffboarding(job, onPaid))
} as const
