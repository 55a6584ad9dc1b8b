import { Schema } from "effect"
import { TenantId } from "../ids.js"
import { PartialLimits } from "./Plan.js"

export const AddOnKey = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9_-]{0,31}$/, {
    message: () => "Expected an add-on key: lowercase letters, digits, '-' or '_', at most 32 characters"
  }),
  Schema.brand("AddOnKey")
)
export type AddOnKey = typeof AddOnKey.Type

/** Something sold on top of a plan: more feature flags, and limits ADDED to the plan's (per unit held). */
export class AddOn extends Schema.Class<AddOn>("AddOn")({
  key: AddOnKey,
  name: Schema.NonEmptyTrimmedString,
  features: Schema.Array(Schema.NonEmptyTrimmedString),
  limits: PartialLimits
}) {}

/** An add-on a tenant holds (bought, or granted by the operator). */
export class HeldAddOn extends Schema.Class<HeldAddOn>("HeldAddOn")({
  tenantId: TenantId,
  addOnKey: AddOnKey,
  quantity: Schema.Int.pipe(Schema.positive()),
  expiresAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}
