import { Context, type Effect, type Option, Schema } from "effect"
import type { OffboardingFlow, OffboardingFlowId } from "../hosting/OffboardingFlow.js"
import type { TenantId } from "../ids.js"

/** The tenant already has a flow running; cancel it first. */
export class FlowAlreadyRunning extends Schema.TaggedError<FlowAlreadyRunning>()("FlowAlreadyRunning", {
  message: Schema.String
}) {}

export interface OffboardingRepoService {
  /** Stores a new flow; fails when the tenant has one running (one at a time). */
  readonly insert: (flow: OffboardingFlow) => Effect.Effect<void, FlowAlreadyRunning>
  readonly find: (tenantId: TenantId, id: OffboardingFlowId) => Effect.Effect<Option.Option<OffboardingFlow>>
  /** Any tenant's flow by id: the step jobs know only the id. */
  readonly findAnyTenant: (id: OffboardingFlowId) => Effect.Effect<Option.Option<OffboardingFlow>>
  /** The tenant's flows, newest first. */
  readonly list: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<OffboardingFlow>>
  /** Replaces the flow's status, steps and context. */
  readonly update: (flow: OffboardingFlow) => Effect.Effect<void>
}

export class OffboardingRepo extends Context.Tag("core/OffboardingRepo")<OffboardingRepo, OffboardingRepoService>() {}
