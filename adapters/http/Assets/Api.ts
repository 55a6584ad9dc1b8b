import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import {
  ConfigMigrationMissing,
  GuildConfigLayer,
  GuildId,
  GuildLimitReached,
  GuildName,
  GuildNotFound,
  GuildOwnedByAnotherTenant,
  InvalidInput,
  TenantId,
  TenantNotFound,
  TenantNotWritable,
  UserId
} from "../../../core/index.js"
import { Authentication } from "../Auth.js"
import { PayloadTooLarge } from "../PayloadTooLarge.js"
import { AssetDetailView, AssetView } from "./AssetView.js"
import { TenantIdRequired } from "./TenantIdRequired.js"

const GuildPath = Schema.Struct({ guildId: GuildId })

export const InstallGuild = Schema.Struct({
  tenantId: Schema.optional(TenantId).annotations({
    description: "Required with an operator key; with a tenant key it defaults to, and must equal, the key's tenant"
  }),
  name: GuildName,
  ownerId: UserId,
  config: Schema.optional(GuildConfigLayer).annotations({
    description: "The guild's own settings layer; omit it to keep the stored one (a reinstall restores it)"
  })
}).annotations({ identifier: "InstallGuild" })

const Installed = Schema.Struct({ outcome: Schema.Literal("Installed"), asset: AssetView }).annotations({
  identifier: "GuildInstalled"
})
const Changed = Schema.Struct({ outcome: Schema.Literal("Restored", "Updated"), asset: AssetView }).annotations({
  identifier: "GuildChanged",
  description: "Restored: a removed guild came back with its config. Updated: an installed guild changed."
})

export class AssetsApi extends HttpApiGroup.make("assets")
  .add(
    HttpApiEndpoint.get("get", "/assets/:guildId")
      .setPath(GuildPath)
      .addSuccess(AssetDetailView)
      .addError(GuildNotFound, { status: 404 })
      .addError(TenantNotFound, { status: 404 })
      .addError(ConfigMigrationMissing, { status: 500 })
      .annotate(OpenApi.Summary, "Get a guild")
      .annotate(
        OpenApi.Description,
        "A guild (installed or removed) with its plan and effective settings, its features, its entitlements " +
          "(plan, add-ons and overrides in effect) and today's (UTC) usage."
      )
  )
  .add(
    HttpApiEndpoint.put("install", "/assets/:guildId")
      .setPath(GuildPath)
      .setPayload(InstallGuild)
      .addSuccess(Installed, { status: 201 })
      .addSuccess(Changed)
      .addError(TenantIdRequired)
      .addError(InvalidInput, { status: 400 })
      .addError(TenantNotFound, { status: 404 })
      .addError(GuildOwnedByAnotherTenant, { status: 409 })
      .addError(GuildLimitReached, { status: 403 })
      .addError(TenantNotWritable, { status: 403 })
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Install, update or restore a guild")
      .annotate(
        OpenApi.Description,
        "Installs the guild for the tenant (201), updates it when already installed, or restores a removed one " +
          "with its stored config. A guild belongs to one tenant; a new install must fit the plan's guild limit."
      )
  )
  .add(
    HttpApiEndpoint.del("remove", "/assets/:guildId")
      .setPath(GuildPath)
      .addSuccess(AssetView)
      .addError(GuildNotFound, { status: 404 })
      .addError(TenantNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "Remove a guild")
      .annotate(
        OpenApi.Description,
        "Marks the guild removed and frees it for other tenants; its config is kept so a reinstall restores it."
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Guilds (assets) installed for tenants")
{}
