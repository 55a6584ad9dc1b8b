import { SqlClient } from "@effect/sql"
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

/**
 * What every repository method ends with: infrastructure errors become
 * defects and the client the repository was built on is provided (the fibers
 * that call repositories, HTTP requests' among them, do not carry it).
 */
export const repositoryBoundary = (sql: SqlClient.SqlClient) =>
<A, E>(
  effect: Effect.Effect<A, E, SqlClient.SqlClient>
): Effect.Effect<A, Exclude<E, SqlError | ParseResult.ParseError>> =>
  effect.pipe(dieOnInfrastructureError, Effect.provideService(SqlClient.SqlClient, sql))

/**
 * A unique violation (SQLSTATE 23505), of `constraint` when given: node-postgres
 * and PGlite both report the code and the constraint's name on the SqlError's cause.
 */
export const isUniqueViolation = (error: unknown, constraint?: string): boolean => {
  if (!(error instanceof SqlError) || typeof error.cause !== "object" || error.cause === null) return false
  const cause = error.cause as { readonly code?: unknown; readonly constraint?: unknown }
  return cause.code === "23505" && (constraint === undefined || cause.constraint === constraint)
}
