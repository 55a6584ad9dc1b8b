import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

/** A request body over the server's limit; answered before the handler runs. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  {
    maxBytes: Schema.Int,
    message: Schema.String
  },
  HttpApiSchema.annotations({ status: 413 })
) {
  static of(maxBytes: number) {
    return new PayloadTooLarge({
      maxBytes,
      message: `The request body is larger than the ${maxBytes}-byte limit; send a smaller body`
    })
  }
}
