import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

/**
 * The request could not be completed now (the database is unreachable, a
 * provider timed out) and nothing was acknowledged: retrying later is safe.
 */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()(
  "ServiceUnavailable",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 503 })
) {
  static readonly retryLater = new ServiceUnavailable({
    message: "Guildhall could not record this request right now; nothing was acknowledged. Retry later."
  })
}
