import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { type CommandManifest, type FeatureCatalogRecord, GuildId } from "../../../core/index.js"
import { Access } from "../Access.js"
import { Authentication } from "../Auth.js"
import { assetsAlias, underGuild } from "../GuildPaths.js"
import {
  ConfigMigrationMissing,
  FeatureAlwaysOn,
  FeatureHookFailed,
  FeatureNotFound,
  FeatureNotInPlan,
  GuildNotFound,
  InvalidFeatureConfig,
  PayloadTooLarge,
  TenantNotFound,
  TenantNotWritable
} from "../shared/Errors.js"
import { FeatureAccess, GuildFeatureView } from "../shared/Views.js"

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

const FeaturePath = Schema.Struct({ guildId: GuildId, key: Schema.String })

export const EnableFeature = Schema.NullOr(
  Schema.Struct({
    config: Schema.optional(Schema.Unknown).annotations({
      description: "Fields of the feature's config, merged into the stored one (or the defaults): a field left out " +
        "keeps its value; an unknown field answers 400. Omit it to keep the stored config."
    })
  })
).annotations({ identifier: "EnableFeature", description: "May be omitted (no body) to enable with the stored config" })

/** The platform's catalog. */
export class FeaturesApi extends HttpApiGroup.make("features")
  .add(
    HttpApiEndpoint.get("catalog", "/features")
      .annotate(Access, Access.signedIn)
      .addSuccess(Schema.Array(CatalogFeatureView))
      .annotate(OpenApi.Summary, "List the platform's features")
      .annotate(
        OpenApi.Description,
        "Feature discovery: every feature the registry has synced (retired ones included), with its commands, " +
          "the plan flag it needs and its config version."
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Features: the platform's catalog")
{}

const guildFeaturesGroup = <const Name extends string>(name: Name) =>
  HttpApiGroup.make(name)
    .add(
      HttpApiEndpoint.get("list", "/features")
        .setPath(Schema.Struct({ guildId: GuildId }))
        .addSuccess(Schema.Array(GuildFeatureView))
        .addError(ConfigMigrationMissing)
        .annotate(OpenApi.Summary, "List a guild's features")
        .annotate(
          OpenApi.Description,
          "Every feature with whether it is enabled, whether the plan includes it, and its config."
        )
    )
    .add(
      HttpApiEndpoint.post("enable", "/features/:key/enable")
        .setPath(FeaturePath)
        .setPayload(EnableFeature)
        .addSuccess(GuildFeatureView)
        .addError(InvalidFeatureConfig)
        .addError(FeatureNotInPlan)
        .addError(TenantNotWritable)
        .addError(FeatureNotFound)
        .addError(ConfigMigrationMissing)
        .addError(FeatureHookFailed)
        .addError(PayloadTooLarge)
        .annotate(OpenApi.Summary, "Enable a feature in a guild")
        .annotate(
          OpenApi.Description,
          "Turns the feature on with the given config (or the stored one, or the defaults). The plan must include it " +
            "(403 FeatureNotInPlan carries the upgrade in `remediation`) and the tenant must accept writes."
        )
    )
    .add(
      HttpApiEndpoint.post("disable", "/features/:key/disable")
        .setPath(FeaturePath)
        .addSuccess(GuildFeatureView)
        .addError(FeatureNotFound)
        .addError(FeatureAlwaysOn)
        .addError(ConfigMigrationMissing)
        .addError(FeatureHookFailed)
        .annotate(OpenApi.Summary, "Disable a feature in a guild")
        .annotate(
          OpenApi.Description,
          "Turns the feature off, keeping its config for the next enable. Essential features stay on (409)."
        )
    )
    .addError(GuildNotFound)
    .addError(TenantNotFound)
    .middleware(Authentication)

/** Each guild's toggles and configs. */
export class GuildFeaturesApi extends underGuild(guildFeaturesGroup("guildFeatures"))
  .annotate(OpenApi.Description, "Features: each guild's toggles and configs")
{}

export class AssetsFeaturesApi extends assetsAlias(guildFeaturesGroup("assetsFeatures")) {}
