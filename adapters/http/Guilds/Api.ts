import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { GuildConfigLayer, GuildId, GuildName, TenantId, UserId } from "../../../core/index.js"
import { Authentication } from "../Auth.js"
import { assetsAlias, underGuild } from "../GuildPaths.js"
import {
  ConfigMigrationMissing,
  GuildLimitReached,
  GuildNotFound,
  GuildOwnedByAnotherTenant,
  InvalidInput,
  PayloadTooLarge,
  TenantIdRequired,
  TenantNotFound,
  TenantNotWritable
} from "../shared/Errors.js"
import { GuildDetailView, GuildView } from "../shared/Views.js"

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

const Installed = Schema.Struct({ outcome: Schema.Literal("Installed"), asset: GuildView }).annotations({
  identifier: "GuildInstalled"
})
const Changed = Schema.Struct({ outcome: Schema.Literal("Restored", "Updated"), asset: GuildView }).annotations({
  identifier: "GuildChanged",
  description: "Restored: a removed guild came back with its config. Updated: an installed guild changed."
})

const guildsGroup = <const Name extends string>(name: Name) =>
  HttpApiGroup.make(name)
    .add(
      HttpApiEndpoint.get("get", "/")
        .setPath(GuildPath)
        .addSuccess(GuildDetailView)
        .addError(GuildNotFound)
        .addError(ConfigMigrationMissing)
        .annotate(OpenApi.Summary, "Get a guild")
        .annotate(
          OpenApi.Description,
          "A guild (installed or removed) with its plan and effective settings, its features, its entitlements " +
            "(plan, add-ons and overrides in effect) and today's (UTC) usage."
        )
    )
    .add(
      HttpApiEndpoint.put("install", "/")
        .setPath(GuildPath)
        .setPayload(InstallGuild)
        .addSuccess(Installed, { status: 201 })
        .addSuccess(Changed)
        .addError(TenantIdRequired)
        .addError(InvalidInput)
        .addError(GuildOwnedByAnotherTenant)
        .addError(GuildLimitReached)
        .addError(TenantNotWritable)
        .addError(PayloadTooLarge)
        .annotate(OpenApi.Summary, "Install, update or restore a guild")
        .annotate(
          OpenApi.Description,
          "Installs the guild for the tenant (201), updates it when already installed, or restores a removed one " +
            "with its stored config. A guild belongs to one tenant; a new install must fit the plan's guild limit."
        )
    )
    .add(
      HttpApiEndpoint.del("remove", "/")
        .setPath(GuildPath)
        .addSuccess(GuildView)
        .addError(GuildNotFound)
        .annotate(OpenApi.Summary, "Remove a guild")
        .annotate(
          OpenApi.Description,
          "Marks the guild removed and frees it for other tenants; its config is kept so a reinstall restores it."
        )
    )
    .addError(TenantNotFound)
    .middleware(Authentication)

export class GuildsApi extends underGuild(guildsGroup("guilds"))
  .annotate(OpenApi.Description, "Guilds installed for tenants")
{}

export class AssetsApi extends assetsAlias(guildsGroup("assets")) {}
