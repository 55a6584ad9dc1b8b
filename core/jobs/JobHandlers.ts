import { Context, Effect, Layer } from "effect"
import type { Job } from "../ports/Jobs.js"
import type { JobFailed } from "./JobFailed.js"
import type { JobKind } from "./JobKind.js"

/** Runs one job, with what its kind needs already provided. A defect is treated as a retryable failure. */
export type JobHandler = (job: Job) => Effect.Effect<void, JobFailed>

/** The handlers the worker runs, by job kind. */
export class JobHandlers extends Context.Tag("core/JobHandlers")<JobHandlers, ReadonlyMap<string, JobHandler>>() {
  /**
   * The handlers of `kinds`, each given the context the layer was built in.
   * Two kinds with one name are a wiring mistake: the layer dies at startup.
   */
  static layer<const Kinds extends ReadonlyArray<JobKind.Any>>(
    ...kinds: Kinds
  ): Layer.Layer<JobHandlers, never, JobKind.Context<Kinds[number]>> {
    type R = JobKind.Context<Kinds[number]>
    return Layer.effect(
      JobHandlers,
      Effect.map(Effect.context<R>(), (context) => {
        const handlers = new Map<string, JobHandler>()
        for (const kind of kinds) {
          if (handlers.has(kind.kind)) throw new Error(`two handlers for job kind ${kind.kind}`)
          // Its requirements are part of R, which Kinds' type says and the context holds.
          const run = kind.run as (job: Job) => Effect.Effect<void, JobFailed, R>
          handlers.set(kind.kind, (job) => Effect.provide(run(job), context))
        }
        return handlers
      })
    )
  }
}
