import { DateTime, Effect, Layer } from "effect"
import {
  type ConsumeRequest,
  type ConsumeResult,
  type CounterCharge,
  counterCharges,
  type DailyUsage,
  fitsWithin,
  QuotaStore,
  ReservationNotFound,
  settledAmount,
  type TenantId,
  usageByMeter,
  usageDay,
  windowStart
} from "../../core/index.js"

/**
 * QuotaStore in memory, with state of its own: counters per tenant, meter,
 * scope key and window start; reservations and the holds they keep on
 * counters; idempotency keys; daily usage. Every operation runs under one
 * permit, so it reads and writes as if it were alone (the SQL store's row
 * locks, with one lock for everything).
 */

interface Hold {
  readonly amount: number
  readonly expiresAtMillis: number
}

interface Counter {
  used: number
  readonly resetsAtMillis: number | null
  /** Keyed by reservation id. */
  readonly holds: Map<string, Hold>
}

interface Reservation {
  readonly guildId: string | null
  readonly expiresAtMillis: number
  readonly holds: ReadonlyArray<{ readonly counterKey: string; readonly meter: string; readonly limit: number }>
}

interface Remembered {
  readonly reservationId: string | null
  readonly firstUsedAtMillis: number
}

const counterKey = (tenantId: TenantId, meter: string, scopeKey: string, start: DateTime.Utc) =>
  JSON.stringify([tenantId, meter, scopeKey, DateTime.toEpochMillis(start)])
const tenantKey = (tenantId: TenantId, id: string) => JSON.stringify([tenantId, id])

const make = Effect.gen(function*() {
  const permit = yield* Effect.makeSemaphore(1)
  const atomically = permit.withPermits(1)

  const counters = new Map<string, Counter>()
  const reservations = new Map<string, Reservation>()
  const idempotencyKeys = new Map<string, Remembered>()
  /** Keyed by tenantKey(tenant, guild), then by `${day} ${meter}`. */
  const daily = new Map<string, Map<string, DailyUsage>>()

  /** Gives back the counter's expired holds; a reservation whose holds are all given back is gone. */
  const giveBackExpired = (tenantId: TenantId, counter: Counter, nowMillis: number): number => {
    let released = 0
    for (const [reservationId, hold] of counter.holds) {
      if (hold.expiresAtMillis > nowMillis) continue
      counter.used -= hold.amount
      counter.holds.delete(reservationId)
      released++
      const key = tenantKey(tenantId, reservationId)
      const reservation = reservations.get(key)
      if (reservation && reservation.holds.every((h) => !counters.get(h.counterKey)?.holds.has(reservationId))) {
        reservations.delete(key)
      }
    }
    return released
  }

  /** The counter as of `now` (expired holds given back); undefined when never charged. */
  const touch = (tenantId: TenantId, key: string, nowMillis: number): Counter | undefined => {
    const counter = counters.get(key)
    if (counter) giveBackExpired(tenantId, counter, nowMillis)
    return counter
  }

  const countDaily = (
    tenantId: TenantId,
    guildId: string | null,
    now: DateTime.Utc,
    granted: ReadonlyArray<{ readonly meter: string; readonly amount: number }>
  ) => {
    if (guildId === null) return
    const day = usageDay(now)
    const key = tenantKey(tenantId, guildId)
    const guildDays = daily.get(key) ?? new Map<string, DailyUsage>()
    daily.set(key, guildDays)
    for (const { amount, meter } of usageByMeter(granted)) {
      const entry = `${day} ${meter}`
      guildDays.set(entry, { day, meter, used: (guildDays.get(entry)?.used ?? 0) + amount })
    }
  }

  const exhausted = (charge: CounterCharge, used: number): ConsumeResult => ({
    _tag: "Exhausted",
    meter: charge.meter,
    limit: charge.limit,
    used,
    resetsAt: charge.resetsAt
  })

  /** consume (hold === null) and reserve: all charges or none, once per idempotency key. */
  const charge = (
    request: ConsumeRequest,
    hold: { readonly reservationId: string; readonly expiresAt: DateTime.Utc } | null
  ): Effect.Effect<ConsumeResult> =>
    atomically(Effect.sync(() => {
      const { now, tenantId } = request
      const nowMillis = DateTime.toEpochMillis(now)
      const idempotencyKey = tenantKey(tenantId, request.idempotencyKey)
      const remembered = idempotencyKeys.get(idempotencyKey)
      if (remembered) {
        return remembered.reservationId === null
          ? { _tag: "Granted", duplicate: true }
          : { _tag: "Granted", duplicate: true, reservationId: remembered.reservationId }
      }

      const planned = counterCharges(request.charges, now).map((c) => ({
        charge: c,
        key: counterKey(tenantId, c.meter, c.scopeKey, c.windowStart)
      }))
      for (const { charge, key } of planned) {
        const used = touch(tenantId, key, nowMillis)?.used ?? 0
        if (!fitsWithin(charge.limit, used, charge.amount)) return exhausted(charge, used)
      }

      for (const { charge, key } of planned) {
        const counter = counters.get(key) ??
          { used: 0, resetsAtMillis: charge.resetsAt && DateTime.toEpochMillis(charge.resetsAt), holds: new Map() }
        counters.set(key, counter)
        counter.used += charge.amount
        if (hold) {
          counter.holds.set(hold.reservationId, {
            amount: charge.amount,
            expiresAtMillis: DateTime.toEpochMillis(hold.expiresAt)
          })
        }
      }
      idempotencyKeys.set(idempotencyKey, { reservationId: hold?.reservationId ?? null, firstUsedAtMillis: nowMillis })
      if (hold === null) {
        countDaily(tenantId, request.guildId, now, planned.map(({ charge }) => charge))
        return { _tag: "Granted", duplicate: false }
      }
      reservations.set(tenantKey(tenantId, hold.reservationId), {
        guildId: request.guildId,
        expiresAtMillis: DateTime.toEpochMillis(hold.expiresAt),
        holds: planned.map(({ charge, key }) => ({ counterKey: key, meter: charge.meter, limit: charge.limit }))
      })
      return { _tag: "Granted", duplicate: false, reservationId: hold.reservationId }
    }))

  /**
   * Takes an open reservation's holds off their counters, each settled at
   * `settle(counter, held, limit)` (0 gives the hold back), and counts what
   * was settled as the day's usage.
   */
  const close = (
    tenantId: TenantId,
    reservationId: string,
    now: DateTime.Utc,
    settle: (counter: Counter, held: number, limit: number) => number
  ): Effect.Effect<ReadonlyArray<number>, ReservationNotFound> =>
    atomically(Effect.suspend(() => {
      const nowMillis = DateTime.toEpochMillis(now)
      const key = tenantKey(tenantId, reservationId)
      const reservation = reservations.get(key)
      if (!reservation || reservation.expiresAtMillis <= nowMillis) {
        return Effect.fail(ReservationNotFound.of(reservationId))
      }
      const settled = reservation.holds.map(({ counterKey, limit, meter }) => {
        const counter = touch(tenantId, counterKey, nowMillis)!
        const held = counter.holds.get(reservationId)!.amount
        const amount = settle(counter, held, limit)
        counter.used += amount - held
        counter.holds.delete(reservationId)
        return { meter, amount }
      })
      reservations.delete(key)
      countDaily(tenantId, reservation.guildId, now, settled.filter(({ amount }) => amount > 0))
      return Effect.succeed(settled.map(({ amount }) => amount))
    }))

  return QuotaStore.of({
    consume: (request) => charge(request, null),
    reserve: (request) => charge(request, { reservationId: request.reservationId, expiresAt: request.expiresAt }),
    commit: (tenantId, reservationId, amount, now) =>
      close(
        tenantId,
        reservationId,
        now,
        (counter, held, limit) => settledAmount({ used: counter.used, held, limit }, amount)
      ).pipe(
        Effect.map((settled) => ({ settled: Math.min(...settled) }))
      ),
    release: (tenantId, reservationId, now) => Effect.asVoid(close(tenantId, reservationId, now, () => 0)),
    dailyUsage: (tenantId, guildId, from, to) =>
      Effect.sync(() =>
        [...(daily.get(tenantKey(tenantId, guildId))?.values() ?? [])]
          .filter((usage) => usage.day >= from && usage.day <= to)
          .sort((a, b) => (a.day === b.day ? (a.meter < b.meter ? -1 : 1) : a.day < b.day ? -1 : 1))
      ),
    currentUsage: (tenantId, { meter, scopeKey, window }, now) =>
      atomically(
        Effect.sync(() =>
          touch(tenantId, counterKey(tenantId, meter, scopeKey, windowStart(window, now)), DateTime.toEpochMillis(now))
            ?.used ?? 0
        )
      ),
    sweep: (now, forgetKeysBefore) =>
      atomically(Effect.sync(() => {
        const nowMillis = DateTime.toEpochMillis(now)
        let releasedHolds = 0
        let deletedCounters = 0
        let forgottenKeys = 0
        for (const [key, counter] of counters) {
          const [tenantId] = JSON.parse(key) as [TenantId]
          releasedHolds += giveBackExpired(tenantId, counter, nowMillis)
          if (counter.resetsAtMillis !== null && counter.resetsAtMillis <= nowMillis && counter.holds.size === 0) {
            counters.delete(key)
            deletedCounters++
          }
        }
        const forgetBeforeMillis = DateTime.toEpochMillis(forgetKeysBefore)
        for (const [key, remembered] of idempotencyKeys) {
          if (remembered.firstUsedAtMillis < forgetBeforeMillis) {
            idempotencyKeys.delete(key)
            forgottenKeys++
          }
        }
        return { releasedHolds, deletedCounters, forgottenKeys }
      }))
  })
})

export const QuotaStoreMemory: Layer.Layer<QuotaStore> = Layer.effect(QuotaStore, make)
