import { Effect, type ParseResult, Schema } from "effect"
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
 * Decodes `input` with `schema`, failing with InvalidInput. The HTTP layer
 * decodes its own payloads; this guards callers that embed the core directly.
 */
export const validate = <A, I>(schema: Schema.Schema<A, I>) => (input: unknown): Effect.Effect<A, InvalidInput> =>
  Schema.decodeUnknown(schema)(input).pipe(Effect.mapError(InvalidInput.fromParseError))
