import { Effect, type ParseResult, Schema, type SchemaAST } from "effect"
import { formatIssues } from "./formatIssues.js"

/** Input that does not fit the domain's schema; the message says what to fix. */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  message: Schema.String
}) {
  static fromParseError(error: ParseResult.ParseError) {
    return new InvalidInput({ message: formatIssues(error) })
  }
}

/**
 * How input from outside is read: a field the schema does not declare is an
 * error (a misspelt `categoryId` must not be dropped and the request answered
 * as if it were absent), and every problem is reported at once (ADR 093).
 */
export const strictParseOptions: SchemaAST.ParseOptions = { onExcessProperty: "error", errors: "all" }

/**
 * Decodes `input` with `schema` (strictly), failing with InvalidInput. The HTTP layer
 * decodes its own payloads; this guards callers that embed the core directly.
 */
export const validate = <A, I>(schema: Schema.Schema<A, I>) => (input: unknown): Effect.Effect<A, InvalidInput> =>
  Schema.decodeUnknown(schema, strictParseOptions)(input).pipe(Effect.mapError(InvalidInput.fromParseError))
