import { Schema, Struct } from "effect"
import { type Asset, Guild, GuildSettings, Plan } from "../../../core/index.js"

const PlanSummary = Schema.Struct(Struct.pick(Plan.fields, "key", "name", "features", "limits")).annotations({
  identifier: "PlanSummary",
  description: "The tenant's plan: its feature flags and limits"
})

/** A guild as the API shows it: its row, the tenant's plan, and the settings in effect. */
export const AssetView = Schema.Struct({
  ...Guild.fields,
  plan: PlanSummary,
  settings: GuildSettings.annotations({
    description: "The effective settings: guild config over tenant defaults over plan defaults over platform defaults"
  })
}).annotations({ identifier: "Asset" })
export type AssetView = typeof AssetView.Type

export const toAssetView = ({ guild, plan, settings }: Asset): AssetView => ({
  tenantId: guild.tenantId,
  guildId: guild.guildId,
  name: guild.name,
  ownerId: guild.ownerId,
  status: guild.status,
  config: guild.config,
  installedAt: guild.installedAt,
  removedAt: guild.removedAt,
  plan: { key: plan.key, name: plan.name, features: plan.features, limits: plan.limits },
  settings
})
