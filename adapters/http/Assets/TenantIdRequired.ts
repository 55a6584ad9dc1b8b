import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

/** An operator key acts on every tenant, so it must say which one a guild is installed for. */
export class TenantIdRequired extends Schema.TaggedError<TenantIdRequired>()(
  "TenantIdRequired",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 400 })
) {
  static readonly instance = new TenantIdRequired({
    message: "An operator key must name the tenant: add \"tenantId\" to the request body"
  })
}
