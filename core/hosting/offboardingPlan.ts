import { Context, DateTime, Duration, Layer, Schema } from "effect"
import type { OffboardingFlow, OffboardingKind, OffboardingStep, OffboardingStepName } from "./OffboardingFlow.js"

/**
 * What a tenant's offboarding consists of (ADR 083): the steps of each kind
 * of flow and when they are due, which step is next, and whether a flow can
 * still be cancelled. Pure; the Offboarding service runs the steps as jobs.
 */

/**
 * How long a removed or unpaid tenant's data is kept before the purge, how
 * long an unpaid one stays read-only when no subscription says, and what
 * non-payment leads to: "offboard" (the non-payment flow: retire, then purge)
 * or "downgrade" (billing alone: the fallback plan when read-only ends).
 */
export interface OffboardingPolicyService {
  readonly retention: Duration.Duration
  readonly readOnlyBeforeRetire: Duration.Duration
  readonly nonPayment: "offboard" | "downgrade"
}

export class OffboardingPolicy extends Context.Tag("core/OffboardingPolicy")<
  OffboardingPolicy,
  OffboardingPolicyService
>() {
  static readonly defaults: OffboardingPolicyService = {
    retention: Duration.days(30),
    readOnlyBeforeRetire: Duration.days(14),
    nonPayment: "offboard"
  }
  static readonly layer = (policy: Partial<OffboardingPolicyService> = {}) =>
    Layer.succeed(OffboardingPolicy, { ...OffboardingPolicy.defaults, ...policy })
}

/** The flow is done or cancelled, or its last step has begun: there is nothing left to cancel. */
export class FlowNotCancellable extends Schema.TaggedError<FlowNotCancellable>()("FlowNotCancellable", {
  message: Schema.String
}) {}

const step = (name: OffboardingStepName, at: DateTime.Utc, doneAt: DateTime.Utc | null = null): OffboardingStep => ({
  name,
  at,
  doneAt
})

/** A new flow's steps, started `now`; `retireAt` (a move, non-payment) when the hosted runner stops serving. */
export const planSteps = (
  kind: OffboardingKind,
  now: DateTime.Utc,
  retireAt: DateTime.Utc | undefined,
  policy: OffboardingPolicyService
): ReadonlyArray<OffboardingStep> => {
  switch (kind) {
    case "move_to_self_host":
      // The license is issued as the flow starts, so its key can be shown once.
      return [step("export", now), step("issue_license", now, now), step("retire", retireAt ?? now)]
    case "remove_bot":
      return [
        step("retire", now),
        step("revoke_license", now),
        step("purge", DateTime.addDuration(now, policy.retention))
      ]
    case "non_payment": {
      const retire = retireAt ?? DateTime.addDuration(now, policy.readOnlyBeforeRetire)
      return [
        step("export", now),
        step("retire", retire),
        step("purge", DateTime.addDuration(retire, policy.retention))
      ]
    }
  }
}

/** The index of the first step not done; undefined when every step is. */
export const nextStep = (flow: OffboardingFlow): number | undefined => {
  const index = flow.steps.findIndex((s) => s.doneAt === null)
  return index === -1 ? undefined : index
}

/** Why the flow cannot be cancelled `now`; null when it can. */
export const cancelRefusal = (flow: OffboardingFlow, now: DateTime.Utc): FlowNotCancellable | null => {
  const last = flow.steps[flow.steps.length - 1]!
  if (flow.status !== "running" || last.doneAt !== null) {
    return new FlowNotCancellable({ message: `The flow is ${flow.status}; there is nothing left to cancel` })
  }
  if (
    last.name === "purge" && flow.steps.slice(0, -1).every((s) => s.doneAt !== null) &&
    !DateTime.lessThan(now, last.at)
  ) {
    return new FlowNotCancellable({ message: "The purge is due and may be running; it cannot be cancelled" })
  }
  return null
}
