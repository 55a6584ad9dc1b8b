import { DateTime, Duration } from "effect"

/** When a failed job runs again, unless its effect asked for longer. */
export interface BackoffOptions {
  /** The attempt that just failed, from 1. */
  readonly attempt: number
  readonly now: DateTime.Utc
  /** Uniform in [0, 1): the jitter's draw. */
  readonly random: number
  /** How long the effect was told to wait (a 429's Retry-After); null when it was not. */
  readonly retryAfterMs: number | null
  /** The first retry's delay before jitter. */
  readonly base: Duration.DurationInput
  /** The longest delay before jitter. */
  readonly cap: Duration.DurationInput
}

/** Two seconds doubling to an hour: ten attempts span about half an hour. */
export const defaultBackoff = { base: Duration.seconds(2), cap: Duration.hours(1) } as const

/**
 * Exponential backoff with "equal jitter": the delay is base·2^(attempt-1),
 * capped, of which half is kept and half drawn at random. Jitter spreads jobs
 * that failed together (one Discord outage) so they do not retry in lockstep;
 * keeping half means a retry is never immediate. A reported retry-after is a
 * floor: retrying sooner is refused again (and, at Discord, risks a ban).
 */
export const nextRunAt = (options: BackoffOptions): DateTime.Utc => {
  const waited = Math.max(Duration.toMillis(backoffDelay(options)), options.retryAfterMs ?? 0)
  return DateTime.addDuration(options.now, Duration.millis(Math.ceil(waited)))
}

/** The jittered delay after failed attempt `attempt` (see nextRunAt), also the background loops' pause (ADR 095). */
export const backoffDelay = (
  options: Pick<BackoffOptions, "attempt" | "random" | "base" | "cap">
): Duration.Duration => {
  const base = Duration.toMillis(options.base)
  const cap = Duration.toMillis(options.cap)
  const exponent = Math.max(0, options.attempt - 1)
  // 2^exponent overflows to Infinity for large attempts; min keeps the cap.
  const delay = Math.min(cap, base * 2 ** exponent)
  const random = Math.min(Math.max(options.random, 0), 1)
  return Duration.millis(Math.ceil(delay / 2 + random * (delay / 2)))
}
