import { type Effect, type Layer, Schema } from "effect"
import { type Job, type JobFailed, type JobHandler, JobHandlers, JobKind } from "../../core/index.js"

/** JobHandlers from plain `{ kind: handler }` functions (payloads taken as they are), for tests of the worker itself. */
export const handlersOf = (
  handlers: Readonly<Record<string, (job: Job) => Effect.Effect<unknown, JobFailed>>>
): Layer.Layer<JobHandlers> =>
  JobHandlers.layer(
    ...Object.entries(handlers).map(([kind, handle]) =>
      JobKind.make({ kind, payload: Schema.Unknown, handle: (_payload, job) => handle(job) as ReturnType<JobHandler> })
    )
  )
