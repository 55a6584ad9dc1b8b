import { DateTime } from "effect"
import type { NonEmptyReadonlyArray } from "effect/Array"
import type { ReceivingAccount, RotationStrategy } from "./PaymentSettings.js"

/** What a rotation may depend on, passed in so the choice itself stays pure. */
export interface RotationContext {
  /** A number that grows by one per order of the tenant (round_robin). */
  readonly orderNumber: number
  /** A uniform draw in [0, 1) (random, weighted). */
  readonly random: number
  readonly now: DateTime.Utc
}

/** The hour of day (0-23) in Vietnam (UTC+7, no daylight saving), where the accounts' hours are written. */
export const vietnamHour = (now: DateTime.Utc): number => DateTime.getPartUtc(DateTime.add(now, { hours: 7 }), "hours")

/** Whether `hour` is within [from, to); a window with from ≥ to wraps past midnight (22 → 6). */
export const withinHours = (hour: number, window: { readonly from: number; readonly to: number }): boolean =>
  window.from < window.to ? hour >= window.from && hour < window.to : hour >= window.from || hour < window.to

/** A draw outside [0, 1) (or NaN) is clamped, so a bad input still names an account. */
const clampDraw = (random: number): number => (Number.isFinite(random) ? Math.min(Math.max(random, 0), 1) : 0)

const indexOfDraw = (random: number, length: number): number =>
  Math.min(length - 1, Math.floor(clampDraw(random) * length))

/**
 * The account an order is paid into:
 * - round_robin: the order number modulo the account count;
 * - random: uniformly by `random`;
 * - weighted: by `random` in proportion to weights (weight 0 is never chosen;
 *   if every weight is 0, the first account);
 * - time_based: the first account whose hours contain the current Vietnam
 *   hour; else the first account without hours; else the first account.
 */
export const chooseAccount = (
  accounts: NonEmptyReadonlyArray<ReceivingAccount>,
  strategy: RotationStrategy,
  context: RotationContext
): ReceivingAccount => {
  switch (strategy) {
    case "round_robin": {
      const n = accounts.length
      const turn = Number.isFinite(context.orderNumber) ? Math.trunc(context.orderNumber) : 0
      return accounts[((turn % n) + n) % n]!
    }
    case "random":
      return accounts[indexOfDraw(context.random, accounts.length)]!
    case "weighted": {
      const total = accounts.reduce((sum, account) => sum + account.weight, 0)
      if (total <= 0) return accounts[0]
      const target = clampDraw(context.random) * total
      let cumulative = 0
      for (const account of accounts) {
        cumulative += account.weight
        if (account.weight > 0 && target < cumulative) return account
      }
      // Only reached for a draw of exactly 1 (outside the contract): the last account in rotation.
      return accounts.findLast((account) => account.weight > 0)!
    }
    case "time_based": {
      const hour = vietnamHour(context.now)
      return accounts.find((account) => account.hours !== null && withinHours(hour, account.hours))
        ?? accounts.find((account) => account.hours === null)
        ?? accounts[0]
    }
  }
}
