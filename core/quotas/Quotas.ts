import { Context, DateTime, Duration, Effect, Layer } from "effect"
import type { GuildId, TenantId } from "../ids.js"
import type { PlanLimits } from "../plans/Plan.js"
import { Crypto } from "../ports/Crypto.js"
import {
  type Charge,
  type ConsumeResult,
  type DailyUsage,
  QuotaStore,
  type ReservationNotFound,
  type SweepResult
} from "../ports/QuotaStore.js"
import { type Meter, meterLimit, meterScopeKey, type QuotaContext } from "./Meter.js"

/** `amount` units of one meter. */
export interface MeterUse {
  readonly meter: Meter
  readonly amount: number
}

export type Exhausted = Extract<ConsumeResult, { readonly _tag: "Exhausted" }>

export type ReserveResult =
  | { readonly _tag: "Reserved"; readonly reservationId: string; readonly duplicate: boolean }
  | Exhausted

/** How long a repeated idempotency key is recognised: far longer than any client retries a request. */
export const idempotencyKeyRetention = Duration.days(1)

export interface QuotasService {
  /** Charges every use or none; a repeated `idempotencyKey` charges nothing again and answers Granted. */
  readonly consume: (
    uses: ReadonlyArray<MeterUse>,
    context: QuotaContext,
    limits: PlanLimits,
    idempotencyKey: string
  ) => Effect.Effect<ConsumeResult>
  /**
   * Holds `amount` on every meter for work whose cost is known afterwards (an
   * AI call): the hold counts as used until committed, released, or `ttl`
   * passes, when it is given back.
   */
  readonly reserve: (
    meters: ReadonlyArray<Meter>,
    amount: number,
    context: QuotaContext,
    limits: PlanLimits,
    idempotencyKey: string,
    ttl: Duration.DurationInput
  ) => Effect.Effect<ReserveResult>
  /** Settles the reservation at its real cost: a smaller one gives the rest back, a larger one is capped at the limit. */
  readonly commit: (
    tenantId: TenantId,
    reservationId: string,
    actualAmount: number
  ) => Effect.Effect<{ readonly settled: number }, ReservationNotFound>
  readonly release: (tenantId: TenantId, reservationId: string) => Effect.Effect<void, ReservationNotFound>
  /** Granted usage per meter per UTC day of one guild, for days `from`..`to` (YYYY-MM-DD, inclusive). */
  readonly dailyUsage: (
    tenantId: TenantId,
    guildId: GuildId,
    from: string,
    to: string
  ) => Effect.Effect<ReadonlyArray<DailyUsage>>
  /** What the meter's current window has used in `context`, holds included. */
  readonly used: (meter: Meter, context: QuotaContext) => Effect.Effect<number>
  /** Gives back expired holds, drops ended windows and forgets old idempotency keys (a periodic job). */
  readonly sweep: Effect.Effect<SweepResult>
}

/** Amounts are whole units; anything else is a caller's bug, not a request to deny. */
const requireAmount = (amount: number) =>
  Number.isSafeInteger(amount) && amount >= 0
    ? Effect.void
    : Effect.dieMessage(`A quota amount must be a non-negative integer, got ${amount}`)

const scopeKeyOf = (meter: Meter, context: QuotaContext) => {
  const scopeKey = meterScopeKey(meter, context)
  return scopeKey === undefined
    ? Effect.dieMessage(`Meter ${meter.key} is scoped to a ${meter.scope}, which the quota context lacks`)
    : Effect.succeed(scopeKey)
}

const chargesOf = (uses: ReadonlyArray<MeterUse>, context: QuotaContext, limits: PlanLimits) =>
  Effect.forEach(uses, ({ amount, meter }) =>
    Effect.zipRight(
      requireAmount(amount),
      Effect.map(scopeKeyOf(meter, context), (scopeKey): Charge => ({
        meter: meter.key,
        scopeKey,
        window: meter.window,
        limit: meterLimit(meter, limits),
        amount
      }))
    ))

const make = Effect.gen(function*() {
  const store = yield* QuotaStore
  const crypto = yield* Crypto

  const consume: QuotasService["consume"] = (uses, context, limits, idempotencyKey) =>
    Effect.gen(function*() {
      const charges = yield* chargesOf(uses, context, limits)
      return yield* store.consume({
        tenantId: context.tenantId,
        guildId: context.guildId,
        charges,
        idempotencyKey,
        now: yield* DateTime.now
      })
    })

  const reserve: QuotasService["reserve"] = (meters, amount, context, limits, idempotencyKey, ttl) =>
    Effect.gen(function*() {
      // A reservation is the holds it keeps: without a meter there would be nothing to commit or release.
      if (meters.length === 0) return yield* Effect.dieMessage("A reservation needs at least one meter")
      const charges = yield* chargesOf(meters.map((meter) => ({ meter, amount })), context, limits)
      const now = yield* DateTime.now
      const reservationId = yield* crypto.uuid
      const result = yield* store.reserve({
        tenantId: context.tenantId,
        guildId: context.guildId,
        charges,
        idempotencyKey,
        now,
        reservationId,
        expiresAt: DateTime.addDuration(now, ttl)
      })
      return result._tag === "Exhausted"
        ? result
        : { _tag: "Reserved", reservationId: result.reservationId ?? reservationId, duplicate: result.duplicate }
    })

  const commit: QuotasService["commit"] = (tenantId, reservationId, actualAmount) =>
    Effect.zipRight(
      requireAmount(actualAmount),
      Effect.flatMap(DateTime.now, (now) => store.commit(tenantId, reservationId, actualAmount, now))
    )

  const release: QuotasService["release"] = (tenantId, reservationId) =>
    Effect.flatMap(DateTime.now, (now) => store.release(tenantId, reservationId, now))

  const used: QuotasService["used"] = (meter, context) =>
    Effect.flatMap(
      scopeKeyOf(meter, context),
      (scopeKey) =>
        Effect.flatMap(DateTime.now, (now) =>
          store.currentUsage(context.tenantId, { meter: meter.key, scopeKey, window: meter.window }, now))
    )

  const sweep = Effect.flatMap(
    DateTime.now,
    (now) => store.sweep(now, DateTime.subtractDuration(now, idempotencyKeyRetention))
  )

  return { consume, reserve, commit, release, dailyUsage: store.dailyUsage, used, sweep } satisfies QuotasService
})

/** Quotas: meters charged against the entitlements' limits, over the QuotaStore port and the Clock. */
export class Quotas extends Context.Tag("core/Quotas")<Quotas, QuotasService>() {
  static readonly layer: Layer.Layer<Quotas, never, QuotaStore | Crypto> = Layer.effect(Quotas, make)
}
