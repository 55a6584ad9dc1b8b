import { SqlSchema } from "@effect/sql"
import { DateTime, type Effect, type Option, type ParseResult, Schema } from "effect"

/**
 * Between rows and the core's Schemas, one way for every repository: a query
 * selects the columns of a Schema's fields in snake_case (a field that is an
 * object, such as a price, as a json object built in the query), and
 * `decodeAll`/`decodeFirst` decode its rows through @effect/sql's SqlSchema
 * with `fromColumns(schema)`, which renames the columns to the fields and
 * writes timestamps as the ISO 8601 strings the Schemas decode. A field that
 * is not one column (a price of two, a bigint read as text) is built by the
 * optional `reshape`, from the renamed row. Both clients
 * parse timestamptz to Date and json/jsonb to JSON values (no client-wide
 * name transform: it would rename the keys inside stored JSON too).
 */

/** Timestamps are written as ISO 8601 strings, jsonb as JSON text: both clients pass them through. */
export const instantParam = (instant: DateTime.Utc): string => DateTime.formatIso(instant)
export const nullableInstantParam = (instant: DateTime.Utc | null): string | null =>
  instant === null ? null : instantParam(instant)
export const jsonParam = (value: unknown): string => JSON.stringify(value)

/** Column names seen so far and their field names: a name is converted once per process. */
const fieldNames = new Map<string, string>()
const fieldOf = (column: string): string => {
  let field = fieldNames.get(column)
  if (field === undefined) {
    field = column.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())
    fieldNames.set(column, field)
  }
  return field
}
const columnOf = (field: string): string => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)

export type Row = Record<string, unknown>
const RowObject = Schema.declare((input: unknown): input is Row => typeof input === "object" && input !== null)

const renamed = (row: Row, nameOf: (name: string) => string, value: (value: unknown) => unknown): Row => {
  const out: Row = {}
  for (const name in row) out[nameOf(name)] = value(row[name])
  return out
}

const fieldsOf = (row: Row) => renamed(row, fieldOf, (value) => value instanceof Date ? value.toISOString() : value)

/** A row: snake_case columns as camelCase fields, Dates as ISO 8601 strings, then reshaped. */
const rowFields = (reshape: (fields: Row) => Row) =>
  Schema.transform(RowObject, RowObject, {
    strict: true,
    decode: (row) => reshape(fieldsOf(row)),
    encode: (fields) => renamed(fields, columnOf, (value) => value)
  })

const asIs = (fields: Row) => fields

/** `schema` read from a row whose columns are its fields' names in snake_case (see the top of this file). */
export const fromColumns = <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  reshape: (fields: Row) => Row = asIs
): Schema.Schema<A, Row, R> => Schema.compose(rowFields(reshape), schema, { strict: false })

/**
 * The statement is SqlSchema's request: repositories build statements from
 * several arguments and run them in a tenant's or the platform's scope, so
 * they hand SqlSchema the statement and it decodes the rows.
 */
const Statement = Schema.Any
const run = (statement: Effect.Effect<ReadonlyArray<unknown>, unknown, unknown>) => statement

/** Every row of a statement through `schema` (see fromColumns); a row it rejects is a ParseError (corrupt data). */
export const decodeAll = <A, I>(schema: Schema.Schema<A, I>, reshape?: (fields: Row) => Row) => {
  const find = SqlSchema.findAll({ Request: Statement, Result: fromColumns(schema, reshape), execute: run })
  return <E, R>(
    rows: Effect.Effect<ReadonlyArray<unknown>, E, R>
  ): Effect.Effect<ReadonlyArray<A>, E | ParseResult.ParseError, R> =>
    find(rows) as Effect.Effect<ReadonlyArray<A>, E | ParseResult.ParseError, R>
}

/** The first row of a statement, if any, through `schema` (see fromColumns). */
export const decodeFirst = <A, I>(schema: Schema.Schema<A, I>, reshape?: (fields: Row) => Row) => {
  const find = SqlSchema.findOne({ Request: Statement, Result: fromColumns(schema, reshape), execute: run })
  return <E, R>(
    rows: Effect.Effect<ReadonlyArray<unknown>, E, R>
  ): Effect.Effect<Option.Option<A>, E | ParseResult.ParseError, R> =>
    find(rows) as Effect.Effect<Option.Option<A>, E | ParseResult.ParseError, R>
}

/** Reshapes: bigint columns (read as text) as numbers, and the objects that are more than one column. */
export const asNumber = (value: unknown): unknown => value === null ? null : Number(value)
export const moneyOf = (fields: Row, minorField: string) => ({
  minor: Number(fields[minorField]),
  currency: fields.currency
})
export const withFingerprint = (fields: Row): Row => ({
  ...fields,
  fingerprint: { applicationId: fields.applicationId, installId: fields.installId }
})
