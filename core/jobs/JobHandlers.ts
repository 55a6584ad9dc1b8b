import { Context, type Effect, Layer, Schema } from "effect"
import type { Job } from "../ports/Jobs.js"

/**
 * A handler's failure. Retryable failures run again with backoff (no sooner
 * than `retryAfterMs` when the effect was told how long to wait); the others
 * dead-letter the job at once with `message` kept for operators. Never put a
 * secret in `message`: it is logged and stored.
 */
export class JobFailed extends Schema.TaggedError<JobFailed>()("JobFailed", {
  message: Schema.String,
  retryable: Schema.Boolean,
  retryAfterMs: Schema.NullOr(Schema.Number)
}) {
  static retryable(message: string, retryAfterMs: number | null = null): JobFailed {
    return new JobFailed({ message, retryable: true, retryAfterMs })
  }

  static permanent(message: string): JobFailed {
    return new JobFailed({ message, retryable: false, retryAfterMs: null })
  }
}

/**
 * Runs one job. Jobs run at least once, so a handler must be idempotent: a
 * second run of a job that already took effect changes nothing. A defect is
 * treated as a retryable failure.
 */
export type JobHandler = (job: Job) => Effect.Effect<void, JobFailed>

/** The handlers the worker runs, by job kind. */
export class JobHandlers extends Context.Tag("core/JobHandlers")<JobHandlers, ReadonlyMap<string, JobHandler>>() {
  /** A handler map from `{ kind: handler }`. */
  static fromRecord(handlers: Readonly<Record<string, JobHandler>>): ReadonlyMap<string, JobHandler> {
    return new Map(Object.entries(handlers))
  }

  /** One map of several; two handlers for one kind is a wiring mistake and throws. */
  static merge(...maps: ReadonlyArray<ReadonlyMap<string, JobHandler>>): ReadonlyMap<string, JobHandler> {
    const merged = new Map<string, JobHandler>()
    for (const map of maps) {
      for (const [kind, handler] of map) {
        if (merged.has(kind)) throw new Error(`two handlers for job kind ${kind}`)
        merged.set(kind, handler)
      }
    }
    return merged
  }

  /** Provides JobHandlers from records of `{ kind: handler }` (merged; a kind may appear once). */
  static layer(...handlers: ReadonlyArray<Readonly<Record<string, JobHandler>>>): Layer.Layer<JobHandlers> {
    return Layer.sync(JobHandlers, () => JobHandlers.merge(...handlers.map((record) => JobHandlers.fromRecord(record))))
  }
}
