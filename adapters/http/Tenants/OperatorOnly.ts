import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

/** An action reserved to the operator, attempted with a tenant key. */
export class OperatorOnly extends Schema.TaggedError<OperatorOnly>()(
  "OperatorOnly",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {
  static of(action: string) {
    return new OperatorOnly({ message: `Only an operator key can ${action}; this is a tenant key` })
  }
}
