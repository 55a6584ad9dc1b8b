import { Context, type Effect, type Queue, type Scope } from "effect"

/**
 * Tells job workers that jobs were just enqueued and are due, so they claim
 * them at once rather than at their next poll (ADR 054). A hint, not a
 * delivery: a signal may be lost (a dropped listening connection) or
 * spurious, so workers keep polling as the fallback, and the store, not the
 * signal, says what is due.
 */
export interface JobWakeupsService {
  /**
   * A subscription for as long as the scope lasts: an item arrives after a
   * transaction that enqueued due jobs committed (never before, so a claim it
   * triggers sees them).
   */
  readonly subscribe: Effect.Effect<Queue.Dequeue<void>, never, Scope.Scope>
}

export class JobWakeups extends Context.Tag("core/JobWakeups")<JobWakeups, JobWakeupsService>() {}
