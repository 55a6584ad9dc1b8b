import { Cause, DateTime, Duration, Effect, Exit, Layer, Option, Queue, Random, Schedule } from "effect"
import { supervisedLoop } from "../background/supervisedLoop.js"
import { type Job, Jobs } from "../ports/Jobs.js"
import { JobWakeups } from "../ports/JobWakeups.js"
import { defaultBackoff, nextRunAt } from "./Backoff.js"
import type { JobFailed } from "./JobFailed.js"
import { JobHandlers } from "./JobHandlers.js"

export interface JobWorkerOptions {
  /** Names this worker's claims; a random id when absent. Unique per replica. */
  readonly workerId?: string
  /** Jobs claimed per round (default 10). */
  readonly batchSize?: number
  /** How long a claim holds before another worker may take the job over (default 5 minutes). */
  readonly lease?: Duration.DurationInput
  /**
   * The wait after a round that found nothing due (default 250 ms); cut short
   * by a JobWakeups signal when that service is provided.
   */
  readonly pollInterval?: Duration.DurationInput
  /** Jobs of a batch handled at once (default 1). */
  readonly concurrency?: number
  /** Retry delays: base·2^(attempt-1) capped at cap, with jitter (default 2 s to 1 h). */
  readonly backoff?: { readonly base: Duration.DurationInput; readonly cap: Duration.DurationInput }
}

interface Settings {
  readonly workerId: string
  readonly batchSize: number
  readonly lease: Duration.Duration
  readonly pollInterval: Duration.Duration
  readonly concurrency: number
  readonly backoff: { readonly base: Duration.DurationInput; readonly cap: Duration.DurationInput }
}

const settings = (options: JobWorkerOptions): Effect.Effect<Settings> =>
  Effect.map(
    options.workerId === undefined
      ? Effect.map(Random.nextIntBetween(0, 2 ** 31), (n) => `worker-${n.toString(36)}`)
      : Effect.succeed(options.workerId),
    (workerId) => ({
      workerId,
      batchSize: options.batchSize ?? 10,
      lease: Duration.decode(options.lease ?? Duration.minutes(5)),
      pollInterval: Duration.decode(options.pollInterval ?? Duration.millis(250)),
      concurrency: options.concurrency ?? 1,
      backoff: options.backoff ?? defaultBackoff
    })
  )

/** What a failed attempt comes to: a JobFailed as the handler reported it, or a defect as a retryable one. */
interface Failure {
  readonly message: string
  readonly retryable: boolean
  readonly retryAfterMs: number | null
}

const failureOf = (job: Job, cause: Cause.Cause<JobFailed>): Effect.Effect<Failure> =>
  Option.match(Cause.failureOption(cause), {
    onSome: (failed): Effect.Effect<Failure> => Effect.succeed(failed),
    onNone: () =>
      Effect.as(
        Effect.logError("job handler died").pipe(
          Effect.annotateLogs({ jobId: job.id, kind: job.kind, attempt: job.attempts, cause: Cause.pretty(cause) })
        ),
        { message: defectMessage(cause), retryable: true, retryAfterMs: null }
      )
  })

const defectMessage = (cause: Cause.Cause<unknown>): string => {
  if (Cause.isInterruptedOnly(cause)) return "interrupted"
  const defect = Cause.squash(cause)
  return `defect: ${defect instanceof Error ? defect.message : String(defect)}`
}

/** The claim loop's pause after a failed round (the store is away): short, so jobs resume within seconds. */
const roundBackoff = { base: Duration.millis(500), cap: Duration.seconds(5) } as const

/**
 * Writes a job's outcome. When the store is away (the write dies), it tries
 * again with backoff until the lease runs out, so a job that ran is marked
 * once the store is back rather than run again by whoever claims it next.
 * The waits are interruptible: a worker stopped meanwhile leaves the job to
 * its lease.
 */
const persistOutcome = (job: Job, worker: Settings, write: Effect.Effect<void>): Effect.Effect<void> =>
  write.pipe(
    Effect.catchAllDefect((defect) =>
      Effect.logWarning("jobs: could not record a job's outcome; retrying until its lease runs out").pipe(
        Effect.annotateLogs({ jobId: job.id, kind: job.kind, error: defectMessage(Cause.die(defect)) }),
        Effect.zipRight(Effect.interruptible(Effect.unsandbox(Effect.retry(
          Effect.sandbox(write),
          Schedule.exponential(Duration.millis(100)).pipe(
            Schedule.union(Schedule.spaced(Duration.seconds(5))),
            Schedule.jittered,
            Schedule.upTo(worker.lease)
          )
        ))))
      )
    )
  )

/** Runs one claimed job to its next state: done, pending again later, or dead. */
const handle = (job: Job, worker: Settings): Effect.Effect<void, never, Jobs | JobHandlers> =>
  Effect.gen(function*() {
    const jobs = yield* Jobs
    const handlers = yield* JobHandlers
    const annotations = { jobId: job.id, kind: job.kind, attempt: job.attempts, maxAttempts: job.maxAttempts }
    const bury = (error: string) =>
      Effect.zipRight(
        Effect.logError("job dead-lettered").pipe(Effect.annotateLogs({ ...annotations, error })),
        Effect.flatMap(
          DateTime.now,
          (now) => persistOutcome(job, worker, jobs.bury(job.id, worker.workerId, error, now))
        )
      )

    // Its worker stopped during the last attempt (lease expired): a job that kills its worker must not loop.
    if (job.attempts > job.maxAttempts) {
      return yield* bury(`attempts exhausted: ${job.lastError ?? "its worker stopped while running it"}`)
    }
    const handler = handlers.get(job.kind)
    if (handler === undefined) return yield* bury(`no handler for job kind ${job.kind}`)

    // Suspended, so a handler that throws instead of returning an effect fails its job like any defect.
    const exit = yield* Effect.exit(Effect.suspend(() => handler(job)))
    if (Exit.isSuccess(exit)) {
      return yield* Effect.flatMap(
        DateTime.now,
        (now) => persistOutcome(job, worker, jobs.complete(job.id, worker.workerId, now))
      )
    }
    const failure = yield* failureOf(job, exit.cause)
    if (!failure.retryable) return yield* bury(failure.message)
    if (job.attempts >= job.maxAttempts) return yield* bury(`attempts exhausted: ${failure.message}`)

    const now = yield* DateTime.now
    const runAt = nextRunAt({
      attempt: job.attempts,
      now,
      random: yield* Random.next,
      retryAfterMs: failure.retryAfterMs,
      ...worker.backoff
    })
    yield* Effect.logWarning("job will retry").pipe(
      Effect.annotateLogs({ ...annotations, error: failure.message, runAt: DateTime.formatIso(runAt) })
    )
    yield* persistOutcome(job, worker, jobs.retry(job.id, worker.workerId, failure.message, runAt))
  }).pipe(
    // A job started finishes, and its outcome is written, even when the worker is shutting down.
    Effect.uninterruptible
  )

const runBatch = (worker: Settings): Effect.Effect<number, never, Jobs | JobHandlers> =>
  Effect.gen(function*() {
    const jobs = yield* Jobs
    const now = yield* DateTime.now
    const claimed = yield* jobs.claim({ workerId: worker.workerId, limit: worker.batchSize, now, lease: worker.lease })
    const started = new Set<string>()
    yield* Effect.forEach(
      claimed,
      (job) =>
        Effect.uninterruptible(Effect.zipRight(Effect.sync(() => started.add(job.id)), handle(job, worker))).pipe(
          // Its outcome could not be written: it stays running until its lease expires; the batch goes on.
          Effect.catchAllDefect((defect) =>
            Effect.logError("jobs: a job's outcome was not recorded; it runs again once its lease expires").pipe(
              Effect.annotateLogs({ jobId: job.id, kind: job.kind, error: defectMessage(Cause.die(defect)) })
            )
          )
        ),
      { concurrency: worker.concurrency, discard: true }
    ).pipe(
      // Stopped mid-batch: jobs not started go back now rather than when their lease expires.
      Effect.onInterrupt(() =>
        Effect.flatMap(DateTime.now, (stoppedAt) =>
          Effect.forEach(
            claimed.filter((job) => !started.has(job.id)),
            (job) => jobs.retry(job.id, worker.workerId, "its worker stopped before running it", stoppedAt),
            { discard: true }
          ))
      )
    )
    return claimed.length
  })

/**
 * Runs the jobs in the Jobs store with the handlers in JobHandlers. At least
 * once: a worker that dies mid-job leaves it running until its lease expires,
 * then another worker claims it again (ADR 051).
 */
export const JobWorker = {
  /** Claims one batch of due jobs and handles each; answers how many were claimed. */
  runOnce: (options: JobWorkerOptions = {}): Effect.Effect<number, never, Jobs | JobHandlers> =>
    Effect.flatMap(settings(options), runBatch),

  /**
   * Handles due jobs forever. After a round that found nothing due it waits
   * `pollInterval`, or less when JobWakeups (if provided) signals new jobs.
   * A round that fails (the store is away) is logged and tried again with
   * backoff; as "job worker" in BackgroundComponents it is down when no round
   * succeeded for a lease, after which its claims are taken over (ADR 095).
   */
  run: (options: JobWorkerOptions = {}): Effect.Effect<never, never, Jobs | JobHandlers> =>
    Effect.scoped(Effect.gen(function*() {
      const worker = yield* settings(options)
      const wakeups = yield* Effect.serviceOption(JobWakeups)
      const signals = Option.isSome(wakeups) ? Option.some(yield* wakeups.value.subscribe) : Option.none()
      // Signals are dropped before each claim, which will see what they announced; one arriving during the
      // claim stays, so the wait after an empty round ends at once and the next claim sees its jobs.
      const forgetSignals = Option.match(signals, { onNone: () => Effect.void, onSome: Queue.takeAll })
      const idle = Option.match(signals, {
        onNone: () => Effect.sleep(worker.pollInterval),
        onSome: (queue) => Effect.timeoutOption(Queue.take(queue), worker.pollInterval)
      })
      return yield* supervisedLoop(
        { name: "job worker", staleAfter: worker.lease, backoff: roundBackoff },
        () =>
          forgetSignals.pipe(
            Effect.zipRight(runBatch(worker)),
            Effect.flatMap((handled) => handled === 0 ? idle : Effect.void)
          )
      )
    })),

  /**
   * The worker as a daemon for the layer's lifetime. Closing the layer stops
   * it between jobs: jobs it started finish (and are marked) first.
   */
  layer: (options: JobWorkerOptions = {}): Layer.Layer<never, never, Jobs | JobHandlers> =>
    Layer.scopedDiscard(Effect.forkScoped(JobWorker.run(options)))
}
