import { Context, type Effect, Schema } from "effect"

/** One component in a readiness answer: the database, or a background component (ADR 095). */
export const ComponentReport = Schema.Struct({
  name: Schema.String,
  /** up; degraded: failing and retrying, within its bound; down: stopped, or stuck past its bound. */
  status: Schema.Literal("up", "degraded", "down"),
  detail: Schema.String,
  /** When it last succeeded (ISO 8601); null when it has not yet. */
  lastSuccessAt: Schema.NullOr(Schema.String)
}).annotations({ identifier: "ComponentReport" })
export type ComponentReport = typeof ComponentReport.Type

/** Not ready: `component` is the first that is down and `message` says why; `components`, when known, all of them. */
export class NotReady extends Schema.TaggedError<NotReady>()("NotReady", {
  component: Schema.String,
  message: Schema.String,
  components: Schema.optional(Schema.Array(ComponentReport))
}) {}

/** Whether the process's store answers now (the "database" component of readinessReport). */
export interface ReadinessService {
  readonly check: Effect.Effect<void, NotReady>
}

export class Readiness extends Context.Tag("core/Readiness")<Readiness, ReadinessService>() {}
