import { Schema, Struct } from "effect"
import { type Asset, type Entitlements, Guild, GuildSettings, Plan, PlanKey, PlanLimits } from "../../../core/index.js"
import { GuildFeatureView } from "../Features/FeatureViews.js"
import { DailyUsageView } from "../Usage/Api.js"

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

/** What a guild may use now: the plan (or the one an override puts in its place) with add-ons and overrides. */
export const EntitlementsView = Schema.Struct({
  planKey: PlanKey,
  features: Schema.Array(Schema.String).annotations({ description: "Plan feature flags in effect, sorted" }),
  limits: PlanLimits,
  access: Schema.Literal("full", "read_only", "essential_only", "none").annotations({
    description:
      "What the tenant's state leaves usable: read_only removes write features, essential_only all but setup and billing, none (a retired tenant) everything"
  }),
  validUntil: Schema.NullOr(Schema.DateTimeUtc).annotations({
    description: "When an add-on or override in effect expires; null: never"
  })
}).annotations({ identifier: "Entitlements" })
export type EntitlementsView = typeof EntitlementsView.Type

export const toEntitlementsView = (entitlements: Entitlements): EntitlementsView => ({
  planKey: entitlements.planKey,
  features: Array.from(entitlements.features).sort(),
  limits: entitlements.limits,
  access: entitlements.access,
  validUntil: entitlements.validUntil
})

/** One guild in full: the asset, its features, its entitlements and today's usage. */
export const AssetDetailView = Schema.Struct({
  ...AssetView.fields,
  features: Schema.Array(GuildFeatureView),
  entitlements: EntitlementsView,
  usageToday: Schema.Array(DailyUsageView).annotations({ description: "Today's (UTC) usage per meter" })
}).annotations({ identifier: "AssetDetail" })
export type AssetDetailView = typeof AssetDetailView.Type
