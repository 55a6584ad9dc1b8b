import { DateTime, Effect, Option, type ParseResult, Schema } from "effect"

/**
 * Between rows and the core's Schemas. Both clients parse timestamptz to Date
 * and jsonb to JSON values; the Schemas encode instants as ISO 8601 strings.
 */
export const encodedInstant = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value)

/** Timestamps are written as ISO 8601 strings, jsonb as JSON text: both clients pass them through. */
export const instantParam = (instant: DateTime.Utc): string => DateTime.formatIso(instant)
export const nullableInstantParam = (instant: DateTime.Utc | null): string | null =>
  instant === null ? null : instantParam(instant)
export const jsonParam = (value: unknown): string => JSON.stringify(value)

/**
 * Decodes rows through a core Schema after renaming their columns. A row the
 * Schema rejects is corrupt data, and an SqlError an outage: both are defects
 * at the repository boundary.
 */
export const decodeAll =
  <A, I>(schema: Schema.Schema<A, I>, fromRow: (row: Record<string, unknown>) => unknown) =>
  <E, R>(
    rows: Effect.Effect<ReadonlyArray<Record<string, unknown>>, E, R>
  ): Effect.Effect<ReadonlyArray<A>, E | ParseResult.ParseError, R> => {
    const decode = Schema.decodeUnknown(schema)
    return Effect.flatMap(rows, (found) => Effect.forEach(found, (row) => decode(fromRow(row))))
  }

export const decodeFirst =
  <A, I>(schema: Schema.Schema<A, I>, fromRow: (row: Record<string, unknown>) => unknown) =>
  <E, R>(
    rows: Effect.Effect<ReadonlyArray<Record<string, unknown>>, E, R>
  ): Effect.Effect<Option.Option<A>, E | ParseResult.ParseError, R> =>
    Effect.map(decodeAll(schema, fromRow)(rows), (decoded) => Option.fromNullable(decoded[0]))
