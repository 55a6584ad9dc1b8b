import { Context, type DateTime, type Duration, type Effect, type Option } from "effect"
import type { TenantId } from "../ids.js"

/** Work to run later, durably: enqueued in the transaction that decided it, run at least once. */
export interface JobSpec {
  /** Whose work it is; null for platform housekeeping. */
  readonly tenantId: TenantId | null
  /** Which handler runs it (e.g. "billing.GrantRole"). */
  readonly kind: string
  /** JSON-serializable input for the handler. */
  readonly payload: unknown
  readonly runAt: DateTime.Utc
  /** A second job with the same key is not enqueued (the first stands, whatever its state). */
  readonly idempotencyKey: string
  /** Attempts before the job is dead-lettered; the store's default (10) when absent. */
  readonly maxAttempts?: number
}

export type JobStatus = "pending" | "running" | "done" | "dead"

export interface Job {
  readonly id: string
  readonly tenantId: TenantId | null
  readonly kind: string
  readonly payload: unknown
  readonly idempotencyKey: string
  readonly status: JobStatus
  readonly runAt: DateTime.Utc
  /** Attempts started so far, this one included once claimed. */
  readonly attempts: number
  readonly maxAttempts: number
  /** The last failure's message (kept on a dead job). */
  readonly lastError: string | null
  /** Who holds a running job, and until when; an expired lease may be claimed again (its worker died). */
  readonly lockedBy: string | null
  readonly lockedUntil: DateTime.Utc | null
  readonly createdAt: DateTime.Utc
  readonly finishedAt: DateTime.Utc | null
}

export interface ClaimOptions {
  readonly workerId: string
  readonly limit: number
  readonly now: DateTime.Utc
  /** How long the claim holds before another worker may take the job over. */
  readonly lease: Duration.Duration
}

export interface JobsService {
  /**
   * Enqueues jobs, skipping any whose idempotency key is already known. On
   * Postgres it joins the caller's transaction when there is one, so a job
   * exists exactly when the change that asked for it was committed.
   */
  readonly enqueue: (jobs: ReadonlyArray<JobSpec>) => Effect.Effect<void>
  /**
   * Takes up to `limit` due jobs (pending with runAt <= now, or running with
   * an expired lease), oldest runAt first, marks them running under
   * `workerId` and counts the attempt. Replicas never claim the same job
   * twice at once (FOR UPDATE SKIP LOCKED).
   */
  readonly claim: (options: ClaimOptions) => Effect.Effect<ReadonlyArray<Job>>
  /** The job succeeded. Ignored when `workerId` no longer holds it (its lease expired and it was taken over). */
  readonly complete: (id: string, workerId: string, now: DateTime.Utc) => Effect.Effect<void>
  /** The attempt failed: run again at `runAt`. Same holder rule as complete. */
  readonly retry: (id: string, workerId: string, error: string, runAt: DateTime.Utc) => Effect.Effect<void>
  /** The job will never succeed (attempts used up, or a permanent error): dead-letter it, keeping `error`. */
  readonly bury: (id: string, workerId: string, error: string, now: DateTime.Utc) => Effect.Effect<void>
  readonly find: (id: string) => Effect.Effect<Option.Option<Job>>
  readonly findByIdempotencyKey: (idempotencyKey: string) => Effect.Effect<Option.Option<Job>>
  /** Jobs in one status, oldest first (dead letters for operators, pending for tests and ops). */
  readonly list: (options: {
    readonly status: JobStatus
    readonly kind?: string
    readonly tenantId?: TenantId
    readonly limit: number
  }) => Effect.Effect<ReadonlyArray<Job>>
  /** Puts a dead job back to pending with fresh attempts (an operator fixed the cause). */
  readonly revive: (id: string, now: DateTime.Utc) => Effect.Effect<boolean>
  /**
   * Deletes done jobs finished before `finishedBefore` (dead ones stay for
   * operators) and answers how many. Their idempotency keys are forgotten with
   * them, so retention must outlast any re-enqueue of the same key: every
   * producer's keys name a one-off (an event id, a timer's revision, a time slot).
   */
  readonly purgeFinished: (finishedBefore: DateTime.Utc) => Effect.Effect<number>
}

export class Jobs extends Context.Tag("core/Jobs")<Jobs, JobsService>() {}
