import { Schema } from "effect"
import { TenantId } from "../ids.js"
import { TenantStatus } from "../tenancy/Tenant.js"

export const OffboardingFlowId = Schema.UUID.pipe(Schema.brand("OffboardingFlowId"))
export type OffboardingFlowId = typeof OffboardingFlowId.Type

export const OffboardingKind = Schema.Literal("move_to_self_host", "remove_bot", "non_payment")
export type OffboardingKind = typeof OffboardingKind.Type

/**
 * What a step does. export: build the tenant's archive (its link is offered
 * on the flow); issue_license: a self-host license (done when the flow
 * starts, so its key can be shown once); retire: the hosted runner stops
 * serving the tenant and removes its commands; revoke_license: every license
 * revoked; purge: every row of the tenant deleted.
 */
export const OffboardingStepName = Schema.Literal("export", "issue_license", "retire", "revoke_license", "purge")
export type OffboardingStepName = typeof OffboardingStepName.Type

export const OffboardingStep = Schema.Struct({
  name: OffboardingStepName,
  at: Schema.DateTimeUtc,
  doneAt: Schema.NullOr(Schema.DateTimeUtc)
})
export type OffboardingStep = typeof OffboardingStep.Type

export const OffboardingStatus = Schema.Literal("running", "done", "cancelled")
export type OffboardingStatus = typeof OffboardingStatus.Type

/** What steps left for later ones (and for a cancel to undo). */
export const OffboardingContext = Schema.Struct({
  exportId: Schema.optional(Schema.String),
  licenseId: Schema.optional(Schema.String),
  /** The tenant's status before the flow retired it; a cancel puts it back. */
  statusBeforeRetire: Schema.optional(TenantStatus),
  /** Who started the flow ("operator", "billing"). */
  startedBy: Schema.String
})
export type OffboardingContext = typeof OffboardingContext.Type

/** A tenant leaving the hosted platform, step by step; each step runs as a job at its time. */
export class OffboardingFlow extends Schema.Class<OffboardingFlow>("OffboardingFlow")({
  id: OffboardingFlowId,
  tenantId: TenantId,
  kind: OffboardingKind,
  status: OffboardingStatus,
  steps: Schema.Array(OffboardingStep),
  context: OffboardingContext,
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc
}) {}
