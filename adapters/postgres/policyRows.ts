import { Schema } from "effect"
import { encodedInstant } from "./rows.js"

/** Between guild policy rows and the core's Schemas (see rows.ts). */

/** GuildFeatureState is an interface in the core; this is its shape as stored. */
export const GuildFeatureStateSchema = Schema.Struct({
  featureKey: Schema.String,
  enabled: Schema.Boolean,
  config: Schema.Unknown,
  configVersion: Schema.Int
})

export const featureColumns = "feature_key, enabled, config, config_version"
export const featureFromRow = (row: Record<string, unknown>) => ({
  featureKey: row.feature_key,
  enabled: row.enabled,
  config: row.config,
  configVersion: row.config_version
})

export const ruleColumns = "tenant_id, guild_id, id, scope, target, subject, subject_id, effect"
export const ruleFromRow = (row: Record<string, unknown>) => ({
  id: row.id,
  scope: row.scope,
  tenantId: row.tenant_id,
  guildId: row.guild_id,
  target: row.target,
  subject: row.subject,
  subjectId: row.subject_id,
  effect: row.effect
})

export const overrideColumns = "tenant_id, id, guild_id, plan_key, features, limits, reason, expires_at, created_at"
export const overrideFromRow = (row: Record<string, unknown>) => ({
  id: row.id,
  tenantId: row.tenant_id,
  guildId: row.guild_id,
  planKey: row.plan_key,
  features: row.features,
  limits: row.limits,
  reason: row.reason,
  expiresAt: encodedInstant(row.expires_at),
  createdAt: encodedInstant(row.created_at)
})

export const heldAddOnColumns = "tenant_id, add_on_key, quantity, expires_at"
export const heldAddOnFromRow = (row: Record<string, unknown>) => ({
  tenantId: row.tenant_id,
  addOnKey: row.add_on_key,
  quantity: row.quantity,
  expiresAt: encodedInstant(row.expires_at)
})
