import { Schema } from "effect"
import { GuildId, TenantId } from "../ids.js"
import { PartialLimits, PlanKey } from "./Plan.js"

export const OverrideId = Schema.UUID.pipe(Schema.brand("OverrideId"))
export type OverrideId = typeof OverrideId.Type

/**
 * An operator's hand-made change to what a tenant (guildId null) or one of its
 * guilds gets: replace the plan, grant extra feature flags, or SET limits to a
 * value. Ignored once `expiresAt` has passed. A guild override applies on top
 * of the tenant's.
 */
export class Override extends Schema.Class<Override>("Override")({
  id: OverrideId,
  tenantId: TenantId,
  guildId: Schema.NullOr(GuildId),
  planKey: Schema.NullOr(PlanKey),
  features: Schema.Array(Schema.NonEmptyTrimmedString),
  limits: PartialLimits,
  reason: Schema.String.pipe(Schema.maxLength(500)),
  expiresAt: Schema.NullOr(Schema.DateTimeUtc),
  createdAt: Schema.DateTimeUtc
}) {}
