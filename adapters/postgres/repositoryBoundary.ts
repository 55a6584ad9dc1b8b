import { SqlError } from "@effect/sql/SqlError"
import { Effect, ParseResult } from "effect"

const isInfrastructureError = (error: unknown): error is SqlError | ParseResult.ParseError =>
  error instanceof SqlError || ParseResult.isParseError(error)

/**
 * At a repository's boundary an SqlError (an outage) or a ParseError (a row
 * the Schema rejects: corrupt data) becomes a defect; domain errors stay typed.
 */
export const dieOnInfrastructureError = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, Exclude<E, SqlError | ParseResult.ParseError>, R> =>
  Effect.catchIf(effect, isInfrastructureError, Effect.die) as Effect.Effect<
    A,
    Exclude<E, SqlError | ParseResult.ParseError>,
    R
  >
