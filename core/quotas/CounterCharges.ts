import { DateTime } from "effect"
import type { Charge } from "../ports/QuotaStore.js"
import { resetsAt, windowStart } from "./Window.js"

/** One counter a request charges: a meter's counter for one scope key in the window containing `now`. */
export interface CounterCharge {
  readonly meter: string
  readonly scopeKey: string
  readonly windowStart: DateTime.Utc
  /** When the window rolls over; null for lifetime counters. */
  readonly resetsAt: DateTime.Utc | null
  /** -1: unlimited. */
  readonly limit: number
  readonly amount: number
}

/** Code-unit order, the same in every store (localeCompare would depend on the runtime's locale). */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The order stores lock counters in: by meter, then scope key, then window. */
export const compareCounters = (
  a: Pick<CounterCharge, "meter" | "scopeKey" | "windowStart">,
  b: Pick<CounterCharge, "meter" | "scopeKey" | "windowStart">
): number =>
  compare(a.meter, b.meter) || compare(a.scopeKey, b.scopeKey) ||
  DateTime.toEpochMillis(a.windowStart) - DateTime.toEpochMillis(b.windowStart)

const stricterLimit = (a: number, b: number) => (a < 0 ? b : b < 0 ? a : Math.min(a, b))

/**
 * The counters a request charges, one entry per counter (charges of the same
 * counter add up, under the stricter limit), sorted by meter and scope key.
 * Stores take their locks in this order, so two requests charging the same
 * counters never wait for each other in a cycle.
 */
export const counterCharges = (charges: ReadonlyArray<Charge>, now: DateTime.Utc): ReadonlyArray<CounterCharge> => {
  const byCounter = new Map<string, CounterCharge>()
  for (const charge of charges) {
    const start = windowStart(charge.window, now)
    const key = JSON.stringify([charge.meter, charge.scopeKey, DateTime.toEpochMillis(start)])
    const earlier = byCounter.get(key)
    byCounter.set(
      key,
      earlier === undefined
        ? {
          meter: charge.meter,
          scopeKey: charge.scopeKey,
          windowStart: start,
          resetsAt: resetsAt(charge.window, now),
          limit: charge.limit,
          amount: charge.amount
        }
        : { ...earlier, limit: stricterLimit(earlier.limit, charge.limit), amount: earlier.amount + charge.amount }
    )
  }
  return [...byCounter.values()].sort(compareCounters)
}

/** Granted units per meter, for the daily usage counters (sorted by meter: their lock order). */
export const usageByMeter = (
  charges: ReadonlyArray<{ readonly meter: string; readonly amount: number }>
): ReadonlyArray<{ readonly meter: string; readonly amount: number }> => {
  const totals = new Map<string, number>()
  for (const { amount, meter } of charges) totals.set(meter, (totals.get(meter) ?? 0) + amount)
  return [...totals].map(([meter, amount]) => ({ meter, amount })).sort((a, b) => compare(a.meter, b.meter))
}

/** The UTC day of an instant, as daily usage is keyed: YYYY-MM-DD. */
export const usageDay = (now: DateTime.Utc): string => DateTime.formatIsoDateUtc(now)
