import { Schema } from "effect"

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
