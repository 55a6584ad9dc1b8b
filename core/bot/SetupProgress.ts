import { Schema } from "effect"
import { GuildId, RoleId, TenantId } from "../ids.js"
import { RoleProvider } from "../payments/PaidRole.js"

/** The wizard's steps in order; "done" means the three are filled in and /setup finish may check and complete. */
export const SetupStep = Schema.Literal("features", "roles", "providers", "done")
export type SetupStep = typeof SetupStep.Type

export const stepOrder: ReadonlyArray<SetupStep> = ["features", "roles", "providers", "done"]

/** A role the wizard sells, with the pass length the admin gave (used when SePay is offered). */
export const SetupRole = Schema.Struct({
  roleId: RoleId,
  days: Schema.NullOr(Schema.Int.pipe(Schema.positive()))
})
export type SetupRole = typeof SetupRole.Type

/** Where one guild's admin is in /setup; saved after every step so the wizard resumes there. */
export class SetupProgress extends Schema.Class<SetupProgress>("SetupProgress")({
  tenantId: TenantId,
  guildId: GuildId,
  step: SetupStep,
  chosenFeatures: Schema.Array(Schema.String),
  roles: Schema.Array(SetupRole),
  offeredProviders: Schema.Array(RoleProvider),
  /** When /setup finish last succeeded; null: not finished. */
  completedAt: Schema.NullOr(Schema.DateTimeUtc),
  updatedAt: Schema.DateTimeUtc
}) {}

/** The step's number as the replies show it ("Setup 2/3"); "done" is past the third. */
export const stepNumber = (step: SetupStep): number => stepOrder.indexOf(step) + 1

export const stepTitle: Record<Exclude<SetupStep, "done">, string> = {
  features: "Features",
  roles: "Paid roles",
  providers: "Payment providers"
}
