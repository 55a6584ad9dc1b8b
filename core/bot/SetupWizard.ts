import { type DateTime, Either, Schema } from "effect"
import type { GuildId, TenantId } from "../ids.js"
import type { RoleProvider } from "../payments/PaidRole.js"
import { SetupProgress, type SetupRole, SetupStep, stepNumber, stepOrder, stepTitle } from "./SetupProgress.js"

/** The wizard asked for a step whose predecessor is not done yet. */
export class SetupStepNotReached extends Schema.TaggedError<SetupStepNotReached>()("SetupStepNotReached", {
  step: SetupStep,
  message: Schema.String,
  remediation: Schema.String
}) {
  static of(wanted: SetupStep, current: SetupStep) {
    const label = wanted === "done" ? "Finishing" : `Step ${stepNumber(wanted)}/3 (${stepTitle[wanted]})`
    return new SetupStepNotReached({
      step: wanted,
      message: `${label} comes after step ${stepNumber(current)}/3 (${stepTitle[current as "features"]})`,
      remediation: `Run /setup ${current} first, or /setup start to see where you are`
    })
  }
}

/** The pure state machine: every transition takes the progress and returns the next, or why it cannot. */
export const SetupWizard = {
  initial: (tenantId: TenantId, guildId: GuildId, now: DateTime.Utc): SetupProgress =>
    SetupProgress.make({
      tenantId,
      guildId,
      step: "features",
      chosenFeatures: [],
      roles: [],
      offeredProviders: [],
      completedAt: null,
      updatedAt: now
    }),

  /** Whether `step` may run now: a step already reached may be run again; a later one may not. */
  reachable: (progress: SetupProgress, step: SetupStep): Either.Either<SetupProgress, SetupStepNotReached> =>
    stepOrder.indexOf(step) <= stepOrder.indexOf(progress.step)
      ? Either.right(progress)
      : Either.left(SetupStepNotReached.of(step, progress.step)),

  /** Moves on to `next` unless the admin is already past it (re-running an earlier step keeps later progress). */
  advance: (progress: SetupProgress, next: SetupStep, now: DateTime.Utc): SetupProgress =>
    SetupProgress.make({
      ...progress,
      step: stepOrder.indexOf(next) > stepOrder.indexOf(progress.step) ? next : progress.step,
      updatedAt: now
    }),

  /** Step 1: the features chosen (and turned on); on to the paid roles. */
  chooseFeatures: (progress: SetupProgress, keys: ReadonlyArray<string>, now: DateTime.Utc): SetupProgress =>
    SetupWizard.advance(SetupProgress.make({ ...progress, chosenFeatures: [...new Set(keys)] }), "roles", now),

  /** Step 2: one more role sold (replacing its earlier entry); the admin stays on step 2 until done. */
  addRole: (progress: SetupProgress, role: SetupRole, now: DateTime.Utc): SetupProgress =>
    SetupProgress.make({
      ...progress,
      roles: [...progress.roles.filter((r) => r.roleId !== role.roleId), role],
      updatedAt: now
    }),

  /** Step 2 done: on to the providers. */
  rolesDone: (progress: SetupProgress, now: DateTime.Utc): SetupProgress =>
    SetupWizard.advance(progress, "providers", now),

  /** Step 3: the providers offered; the three steps are done. */
  offerProviders: (progress: SetupProgress, providers: ReadonlyArray<RoleProvider>, now: DateTime.Utc) =>
    SetupWizard.advance(SetupProgress.make({ ...progress, offeredProviders: [...new Set(providers)] }), "done", now),

  /** Finished: the roles were checked manageable. */
  complete: (progress: SetupProgress, now: DateTime.Utc): SetupProgress =>
    SetupProgress.make({ ...progress, step: "done", completedAt: now, updatedAt: now })
} as const
