import { Context, type Effect, Schema } from "effect"

export class NotReady extends Schema.TaggedError<NotReady>()("NotReady", {
  component: Schema.String,
  message: Schema.String
}) {}

/** Whether the process can serve traffic now (its store answers). */
export interface ReadinessService {
  readonly check: Effect.Effect<void, NotReady>
}

export class Readiness extends Context.Tag("core/Readiness")<Readiness, ReadinessService>() {}
