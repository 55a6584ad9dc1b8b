import { Schema } from "effect"

/** Between guild policy rows and the core's Schemas (see rows.ts). */

/** GuildFeatureState is an interface in the core; this is its shape as stored. */
export const GuildFeatureStateSchema = Schema.Struct({
  featureKey: Schema.String,
  enabled: Schema.Boolean,
  config: Schema.Unknown,
  configVersion: Schema.Int
})

export const featureColumns = "feature_key, enabled, config, config_version"
export const ruleColumns = "tenant_id, guild_id, id, scope, target, subject, subject_id, effect"
export const overrideColumns = "tenant_id, id, guild_id, plan_key, features, limits, reason, expires_at, created_at"
export const heldAddOnColumns = "tenant_id, add_on_key, quantity, expires_at"
