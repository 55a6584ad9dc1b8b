import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import {
  ConfigMigrationMissing,
  FeatureAlwaysOn,
  FeatureHookFailed,
  FeatureNotFound,
  FeatureNotInPlan,
  GuildId,
  GuildNotFound,
  InvalidFeatureConfig,
  TenantNotFound,
  TenantNotWritable
} from "../../../core/index.js"
import { Authentication } from "../Auth.js"
import { PayloadTooLarge } from "../PayloadTooLarge.js"
import { CatalogFeatureView, GuildFeatureView } from "./FeatureViews.js"

const GuildPath = Schema.Struct({ guildId: GuildId })
const FeaturePath = Schema.Struct({ guildId: GuildId, key: Schema.String })

export const EnableFeature = Schema.NullOr(
  Schema.Struct({
    config: Schema.optional(Schema.Unknown).annotations({
      description: "Fields of the feature's config, merged into the stored one (or the defaults): a field left out " +
        "keeps its value; an unknown field answers 400. Omit it to keep the stored config."
    })
  })
).annotations({ identifier: "EnableFeature", description: "May be omitted (no body) to enable with the stored config" })

export class FeaturesApi extends HttpApiGroup.make("features")
  .add(
    HttpApiEndpoint.get("catalog", "/features")
      .addSuccess(Schema.Array(CatalogFeatureView))
      .annotate(OpenApi.Summary, "List the platform's features")
      .annotate(
        OpenApi.Description,
        "Feature discovery: every feature the registry has synced (retired ones included), with its commands, " +
          "the plan flag it needs and its config version."
      )
  )
  .add(
    HttpApiEndpoint.get("list", "/assets/:guildId/features")
      .setPath(GuildPath)
      .addSuccess(Schema.Array(GuildFeatureView))
      .addError(GuildNotFound, { status: 404 })
      .addError(TenantNotFound, { status: 404 })
      .addError(ConfigMigrationMissing, { status: 500 })
      .annotate(OpenApi.Summary, "List a guild's features")
      .annotate(
        OpenApi.Description,
        "Every feature with whether it is enabled, whether the plan includes it, and its config."
      )
  )
  .add(
    HttpApiEndpoint.post("enable", "/assets/:guildId/features/:key/enable")
      .setPath(FeaturePath)
      .setPayload(EnableFeature)
      .addSuccess(GuildFeatureView)
      .addError(InvalidFeatureConfig, { status: 400 })
      .addError(FeatureNotInPlan, { status: 403 })
      .addError(TenantNotWritable, { status: 403 })
      .addError(FeatureNotFound, { status: 404 })
      .addError(GuildNotFound, { status: 404 })
      .addError(TenantNotFound, { status: 404 })
      .addError(ConfigMigrationMissing, { status: 500 })
      .addError(FeatureHookFailed, { status: 502 })
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Enable a feature in a guild")
      .annotate(
        OpenApi.Description,
        "Turns the feature on with the given config (or the stored one, or the defaults). The plan must include it " +
          "(403 FeatureNotInPlan carries the upgrade in `remediation`) and the tenant must accept writes."
      )
  )
  .add(
    HttpApiEndpoint.post("disable", "/assets/:guildId/features/:key/disable")
      .setPath(FeaturePath)
      .addSuccess(GuildFeatureView)
      .addError(FeatureNotFound, { status: 404 })
      .addError(GuildNotFound, { status: 404 })
      .addError(TenantNotFound, { status: 404 })
      .addError(FeatureAlwaysOn, { status: 409 })
      .addError(ConfigMigrationMissing, { status: 500 })
      .addError(FeatureHookFailed, { status: 502 })
      .annotate(OpenApi.Summary, "Disable a feature in a guild")
      .annotate(
        OpenApi.Description,
        "Turns the feature off, keeping its config for the next enable. Essential features stay on (409)."
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Features: the platform's catalog and each guild's toggles and configs")
{}
