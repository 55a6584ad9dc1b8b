import { type DateTime, Effect, Schema } from "effect"
import type { TenantId } from "../ids.js"
import type { Job, JobSpec } from "../ports/Jobs.js"
import { JobFailed } from "./JobFailed.js"

/** What enqueueing one job of a kind takes: its payload typed, the rest as JobSpec has it. */
export interface JobSpecInput<A> {
  readonly tenantId: TenantId | null
  readonly payload: A
  readonly runAt: DateTime.Utc
  readonly idempotencyKey: string
  readonly maxAttempts?: number
}

/**
 * A job kind, defined once: its name, its payload's schema and its handler.
 * Jobs run at least once, so a handler must be idempotent: a second run of a
 * job that already took effect changes nothing. `R` is what the handler
 * needs; JobHandlers.layer provides it once for every kind.
 */
export interface JobKind<A, I = A, R = never> {
  readonly kind: string
  readonly payload: Schema.Schema<A, I>
  readonly handle: (payload: A, job: Job) => Effect.Effect<void, JobFailed, R>
  /** The job to enqueue: the payload encoded with the schema, so the handler decodes what was written. */
  readonly spec: (input: JobSpecInput<A>) => JobSpec
  /** Decodes the stored payload and handles it; a payload that does not decode is a permanent failure. */
  readonly run: (job: Job) => Effect.Effect<void, JobFailed, R>
}

export declare namespace JobKind {
  /** A job kind of any payload needing at most `R`, as lists of kinds hold them. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list holds kinds of any payload
  export type Of<R> = JobKind<any, any, R>
  /** Any job kind. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any payload, any requirements
  export type Any = Of<any>
  /** What a list of kinds needs to run. */
  export type Context<K extends Any> = K extends JobKind<infer _A, infer _I, infer R> ? R : never
}

const make = <A, I, R>(definition: {
  readonly kind: string
  readonly payload: Schema.Schema<A, I>
  readonly handle: (payload: A, job: Job) => Effect.Effect<void, JobFailed, R>
}): JobKind<A, I, R> => {
  const encode = Schema.encodeSync(definition.payload)
  const decode = Schema.decodeUnknown(definition.payload)
  // Written by another version (or by hand): retrying cannot make it decode.
  const undecodable = () =>
    JobFailed.permanent(`the ${definition.kind} job's payload does not decode; it was not written by this version`)
  return {
    ...definition,
    spec: ({ payload, ...input }) => ({ ...input, kind: definition.kind, payload: encode(payload) }),
    run: (job) =>
      decode(job.payload).pipe(
        Effect.mapError(undecodable),
        Effect.flatMap((payload) => definition.handle(payload, job))
      )
  }
}

/**
 * The same kind with `after` run once its handler succeeded: another
 * concept's follow-up (the non-payment flow after billing's read-only
 * effects), so the follow-up runs exactly when the effect did, at least once.
 */
const andThen = <A, I, R, R2>(
  kind: JobKind<A, I, R>,
  after: (payload: A, job: Job) => Effect.Effect<void, JobFailed, R2>
): JobKind<A, I, R | R2> =>
  make({
    kind: kind.kind,
    payload: kind.payload,
    handle: (payload, job) => Effect.zipRight(kind.handle(payload, job), after(payload, job))
  })

export const JobKind = { make, andThen }
