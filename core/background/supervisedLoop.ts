import { Cause, Duration, Effect, Option, Random } from "effect"
import { backoffDelay } from "../jobs/Backoff.js"
import { BackgroundComponents, type ComponentHandle } from "./BackgroundComponents.js"

export interface SupervisedLoopOptions {
  /** The component's name in logs and in `/health/ready` ("job worker", "policy listener"). */
  readonly name: string
  /** No success for this long is reported down (see BackgroundComponents); absent: only stopping is. */
  readonly staleAfter?: Duration.DurationInput | undefined
  /** The pause after failed round n: base·2^(n-1) capped, half of it jitter (default 1 s to 1 min). */
  readonly backoff?: { readonly base: Duration.DurationInput; readonly cap: Duration.DurationInput } | undefined
}

/** What a round may tell the loop besides finishing: a long-lived round (a listening session) reports progress. */
export interface RoundProgress {
  readonly succeeded: (detail?: string) => Effect.Effect<void>
}

const defaultLoopBackoff = { base: Duration.seconds(1), cap: Duration.minutes(1) } as const

const quietHandle: ComponentHandle = {
  succeeded: () => Effect.void,
  failed: () => Effect.void,
  stopped: () => Effect.void,
  remove: Effect.void
}

/** A failure's one-line summary for the registry (the log line carries the whole cause). */
const summary = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  if (error instanceof Error) return error.message
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message)
  return String(error)
}

/**
 * Runs `round` again and again for as long as the fiber lives, and survives
 * any failure of one round, defects included (ADR 095): the failure is logged
 * with its cause, the loop pauses with jittered exponential backoff and goes
 * on; a success resets the backoff. Each finished round (and each
 * `progress.succeeded`) counts as a success for BackgroundComponents, when
 * that service is provided, so readiness can tell a stuck loop. Only
 * interruption ends it (its scope closed: it was stopped on purpose), and
 * then it leaves the registry.
 */
export const supervisedLoop = <E, R>(
  options: SupervisedLoopOptions,
  round: (progress: RoundProgress) => Effect.Effect<void, E, R>
): Effect.Effect<never, never, R> =>
  Effect.gen(function*() {
    const registry = yield* Effect.serviceOption(BackgroundComponents)
    const component = Option.isSome(registry)
      ? yield* registry.value.register(options.name, { staleAfter: options.staleAfter })
      : quietHandle
    const backoff = options.backoff ?? defaultLoopBackoff
    let failuresInARow = 0
    const succeeded = (detail?: string) =>
      Effect.suspend(() => {
        failuresInARow = 0
        return component.succeeded(detail)
      })
    // A long-lived round that reports progress has recovered: its next failure backs off from the start.
    const progress: RoundProgress = { succeeded }

    const afterFailure = (cause: Cause.Cause<E>) =>
      Effect.gen(function*() {
        failuresInARow += 1
        const pause = backoffDelay({ attempt: failuresInARow, random: yield* Random.next, ...backoff })
        const message = summary(cause)
        yield* component.failed(message)
        yield* Effect.logError(`${options.name}: a round failed; retrying in ${Duration.format(pause)}`, cause).pipe(
          Effect.annotateLogs({ component: options.name, failuresInARow, error: message })
        )
        yield* Effect.sleep(pause)
      })

    return yield* Effect.suspend(() => round(progress)).pipe(
      Effect.matchCauseEffect({
        onSuccess: () => succeeded(),
        // The loop's own interruption skips this (the fiber stops); an interrupted child is a failed round.
        onFailure: afterFailure
      }),
      Effect.forever,
      Effect.ensuring(component.remove)
    )
  })
