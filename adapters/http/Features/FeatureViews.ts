import { Schema } from "effect"
import type { CommandManifest, FeatureCatalogRecord } from "../../../core/index.js"

const FeatureAccess = Schema.Literal("essential", "read", "write").annotations({
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

const Bits = Schema.String.pipe(Schema.pattern(/^[0-9]+$/)).annotations({
  description: "Discord permission bits as a decimal string"
})

const CommandOptionView = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  type: Schema.Literal("string", "integer", "number", "boolean", "user", "channel", "role"),
  required: Schema.Boolean,
  choices: Schema.Array(Schema.Struct({ name: Schema.String, value: Schema.Union(Schema.String, Schema.Number) }))
}).annotations({ identifier: "FeatureCommandOption" })

/** A command of the catalog (recursive through its subcommands). */
const CommandView: Schema.Schema<CommandManifest> = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  level: Schema.NullOr(Schema.Literal("member", "mod", "admin", "owner")),
  memberPermissions: Schema.NullOr(Bits),
  botPermissions: Schema.NullOr(Bits),
  cooldownSeconds: Schema.NullOr(Schema.Number),
  options: Schema.Array(CommandOptionView),
  subcommands: Schema.Array(Schema.suspend((): Schema.Schema<CommandManifest> => CommandView))
}).annotations({ identifier: "FeatureCommand" })

/** A feature of the platform's catalog, as the registry last synced it. */
export const CatalogFeatureView = Schema.Struct({
  key: Schema.String,
  name: Schema.String,
  description: Schema.String,
  requires: Schema.NullOr(Schema.String),
  access: FeatureAccess,
  commands: Schema.Array(CommandView),
  configVersion: Schema.Int,
  syncedAt: Schema.DateTimeUtc,
  retiredAt: Schema.NullOr(Schema.DateTimeUtc).annotations({
    description: "When the running registry stopped listing the feature; null while registered"
  })
}).annotations({ identifier: "CatalogFeature" })
export type CatalogFeatureView = typeof CatalogFeatureView.Type

export const toCatalogFeatureView = (record: FeatureCatalogRecord): CatalogFeatureView => ({
  key: record.key,
  name: record.name,
  description: record.description,
  requires: record.requires,
  access: record.access,
  commands: record.commands,
  configVersion: record.configVersion,
  syncedAt: record.syncedAt,
  retiredAt: record.retiredAt
})
