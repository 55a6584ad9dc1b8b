import { Effect } from "effect"
import { UnknownPlan } from "../../core/index.js"

/**
 * A stored tenant whose plan is missing from the catalog is an operator
 * misconfiguration, not the caller's mistake: answer 500 (and log it) rather
 * than a 400 the caller can do nothing about.
 */
export const storedPlanMustExist = <A, E, R>(
  effect: Effect.Effect<A, E | UnknownPlan, R>
): Effect.Effect<A, Exclude<E, UnknownPlan>, R> =>
  Effect.catchIf(effect, (error): error is UnknownPlan => error instanceof UnknownPlan, Effect.die)
