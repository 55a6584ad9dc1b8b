import { Context, type DateTime, type Effect, Schema } from "effect"
import type { GuildId, TenantId } from "../ids.js"
import type { Window } from "../quotas/Window.js"

/** One meter charged by a request: `amount` units against `limit` in the current `window` for `scopeKey`. */
export interface Charge {
  /** e.g. "commands", "ai_tokens", "cooldown:xp rank". */
  readonly meter: string
  /** Whose counter: a tenant, guild or user id (the meter's scope decides which). */
  readonly scopeKey: string
  readonly window: Window
  /** -1: unlimited (still counted, for usage reports). */
  readonly limit: number
  readonly amount: number
}

export interface ConsumeRequest {
  readonly tenantId: TenantId
  /** The guild the usage is reported under (daily usage counters); null for tenant-wide usage. */
  readonly guildId: GuildId | null
  /** All granted together or none (a denial consumes nothing). */
  readonly charges: ReadonlyArray<Charge>
  /** A request repeated with the same key consumes nothing twice and answers as the first time. */
  readonly idempotencyKey: string
  readonly now: DateTime.Utc
}

export type ConsumeResult =
  | {
    readonly _tag: "Granted"
    readonly duplicate: boolean
    /** Reserve only: the reservation holding the balance (on a duplicate, the first request's). */
    readonly reservationId?: string
  }
  | {
    readonly _tag: "Exhausted"
    readonly meter: string
    readonly limit: number
    readonly used: number
    /** When the window rolls over; null for lifetime meters. */
    readonly resetsAt: DateTime.Utc | null
  }

export class ReservationNotFound extends Schema.TaggedError<ReservationNotFound>()("ReservationNotFound", {
  reservationId: Schema.String,
  message: Schema.String
}) {
  static of(reservationId: string): ReservationNotFound {
    return new ReservationNotFound({
      reservationId,
      message: `Reservation ${reservationId} is not open: it was committed, released or has expired`
    })
  }
}

export interface DailyUsage {
  readonly day: string // YYYY-MM-DD (UTC)
  readonly meter: string
  readonly used: number
}

export interface QuotaStoreService {
  /** Atomic and exact: never lets a counter pass its limit, whatever the concurrency. */
  readonly consume: (request: ConsumeRequest) => Effect.Effect<ConsumeResult>
  /**
   * Holds `amount` of every charge until `expiresAt` (the hold counts as used);
   * commit settles the real cost, release gives the hold back, and an expired
   * hold is given back automatically.
   */
  readonly reserve: (
    request: ConsumeRequest & { readonly reservationId: string; readonly expiresAt: DateTime.Utc }
  ) => Effect.Effect<ConsumeResult>
  /**
   * Settles a reservation at `amount` (smaller or larger than held; a larger one is capped at the limit).
   * A reservation's charges measure one cost (a guild's and its tenant's AI tokens, say): each settles
   * at `amount` in the window its hold was taken in, and `settled` is the least any of them took.
   */
  readonly commit: (
    tenantId: TenantId,
    reservationId: string,
    amount: number,
    now: DateTime.Utc
  ) => Effect.Effect<{ readonly settled: number }, ReservationNotFound>
  readonly release: (
    tenantId: TenantId,
    reservationId: string,
    now: DateTime.Utc
  ) => Effect.Effect<void, ReservationNotFound>
  /** Granted usage per meter per UTC day for one guild, days in [from, to]. */
  readonly dailyUsage: (
    tenantId: TenantId,
    guildId: GuildId,
    from: string,
    to: string
  ) => Effect.Effect<ReadonlyArray<DailyUsage>>
  /** A counter's usage in the window containing `now`, holds included (0 when never charged). */
  readonly currentUsage: (
    tenantId: TenantId,
    counter: { readonly meter: string; readonly scopeKey: string; readonly window: Window },
    now: DateTime.Utc
  ) => Effect.Effect<number>
  /**
   * Housekeeping, for a periodic job: gives back every hold expired at `now`,
   * deletes counters whose window has ended (and hold nothing), and forgets
   * idempotency keys first used before `forgetKeysBefore`.
   */
  readonly sweep: (now: DateTime.Utc, forgetKeysBefore: DateTime.Utc) => Effect.Effect<SweepResult>
}

export interface SweepResult {
  readonly releasedHolds: number
  readonly deletedCounters: number
  readonly forgottenKeys: number
}

export class QuotaStore extends Context.Tag("core/QuotaStore")<QuotaStore, QuotaStoreService>() {}
