import { Effect } from "effect"
import { InvalidFeatureConfig } from "../../core/index.js"

/**
 * A stored feature config that no longer decodes is not the caller's
 * mistake: on a read (or a disable, which keeps the config) answer 500 and
 * log it rather than a 400 the caller can do nothing about.
 */
export const storedConfigMustDecode = <A, E, R>(
  effect: Effect.Effect<A, E | InvalidFeatureConfig, R>
): Effect.Effect<A, Exclude<E, InvalidFeatureConfig>, R> =>
  Effect.catchIf(effect, (error): error is InvalidFeatureConfig => error instanceof InvalidFeatureConfig, Effect.die)
