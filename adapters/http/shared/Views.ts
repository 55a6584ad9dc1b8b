/**
 * The views more than one group answers: a guild, its entitlements, its
 * features and usage, a rule, a subscription. A view used by one group only
 * stays in that group's folder.
 */
import { Schema, Struct } from "effect"
import {
  type Asset,
  type Entitlements,
  Guild,
  GuildSettings,
  Plan,
  PlanKey,
  PlanLimits,
  Rule,
  SubscriptionState
} from "../../../core/index.js"
import { Day } from "./Day.js"

const PlanSummary = Schema.Struct(Struct.pick(Plan.fields, "key", "name", "features", "limits")).annotations({
  identifier: "PlanSummary",
  description: "The tenant's plan: its feature flags and limits"
})

/**
 * A guild as the API shows it: its row, the tenant's plan, and the settings in effect. The schema keeps its
 * OpenAPI name `Asset` until the next major version, like the /assets paths (ADR 100).
 */
export const GuildView = Schema.Struct({
  ...Guild.fields,
  plan: PlanSummary,
  settings: GuildSettings.annotations({
    description: "The effective settings: guild config over tenant defaults over plan defaults over platform defaults"
  })
}).annotations({ identifier: "Asset" })
export type GuildView = typeof GuildView.Type

export const toGuildView = ({ guild, plan, settings }: Asset): GuildView => ({
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

export const FeatureAccess = Schema.Literal("essential", "read", "write").annotations({
  description: "essential: always on (setup, billing); read: kept when the tenant is read-only; write: removed then"
})

/** A feature as one guild has it. */
export const GuildFeatureView = Schema.Struct({
  key: Schema.String,
  name: Schema.String,
  description: Schema.String,
  requires: Schema.NullOr(Schema.String).annotations({
    description: "The plan feature flag the feature needs; null: every plan has it"
  }),
  access: FeatureAccess,
  enabled: Schema.Boolean,
  inPlan: Schema.Boolean.annotations({ description: "Whether the guild's entitlements include the feature" }),
  config: Schema.Unknown.annotations({ description: "The feature's current config (the defaults until configured)" })
}).annotations({ identifier: "GuildFeature" })
export type GuildFeatureView = typeof GuildFeatureView.Type

export const DailyUsageView = Schema.Struct({
  day: Day,
  meter: Schema.String.annotations({ description: "e.g. commands, ai_tokens" }),
  used: Schema.Number
}).annotations({ identifier: "DailyUsage" })

/** One guild in full: the guild, its features, its entitlements and today's usage (OpenAPI name kept, ADR 100). */
export const GuildDetailView = Schema.Struct({
  ...GuildView.fields,
  features: Schema.Array(GuildFeatureView),
  entitlements: EntitlementsView,
  usageToday: Schema.Array(DailyUsageView).annotations({ description: "Today's (UTC) usage per meter" })
}).annotations({ identifier: "AssetDetail" })
export type GuildDetailView = typeof GuildDetailView.Type

/** A stored rule as the API shows it. */
export const RuleView = Schema.Struct(Rule.fields).annotations({ identifier: "Rule" })

export const SubscriptionView = Schema.Struct(SubscriptionState.fields).annotations({ identifier: "Subscription" })
