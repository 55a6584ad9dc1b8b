import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { GuildId, TenantId, UnclaimedGuild } from "../../../core/index.js"
import { Access } from "../Access.js"
import { Authentication } from "../Auth.js"
import {
  InvalidInput,
  InvalidInviteState,
  OperatorOnly,
  PayloadTooLarge,
  TenantNotFound,
  UnclaimedGuildNotFound
} from "../shared/Errors.js"

/** Invite links cannot be made: the Discord application is not configured. */
export class DiscordNotConfigured extends Schema.TaggedError<DiscordNotConfigured>()(
  "DiscordNotConfigured",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 503 })
) {
  static readonly applicationId = new DiscordNotConfigured({
    message: "Set DISCORD_APPLICATION_ID to the Discord application's id (Developer Portal → General Information) " +
      "and restart; invite links name it"
  })
}

/** Discord came back without what the callback needs: the admin canceled, or the URL was not Discord's. */
export class InviteCallbackIncomplete extends Schema.TaggedError<InviteCallbackIncomplete>()(
  "InviteCallbackIncomplete",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 400 })
) {}

/** The guild was not installed (the plan's guild limit, another tenant's guild, a suspended tenant, ...). */
export class GuildInstallRefused extends Schema.TaggedError<GuildInstallRefused>()(
  "GuildInstallRefused",
  {
    guildId: GuildId,
    reason: Schema.String.annotations({ description: "The refusal's own tag, e.g. GuildLimitReached" }),
    message: Schema.String,
    remediation: Schema.optional(Schema.String)
  },
  HttpApiSchema.annotations({ status: 409 })
) {}

export const InviteLink = Schema.Struct({
  url: Schema.String.annotations({ description: "Open it in a browser and pick the server to add the bot to" }),
  expiresAt: Schema.DateTimeUtc
}).annotations({ identifier: "InviteLink" })

export const CreateInvite = Schema.Struct({
  tenantId: Schema.optional(TenantId).annotations({ description: "Required with an operator key" }),
  redirectUri: Schema.optional(Schema.String).annotations({
    description: "Where Discord sends the admin back; must be registered in the Discord application. " +
      "Default: <public URL>/discord/callback"
  })
}).annotations({ identifier: "CreateInvite" })

export const GuildInstallView = Schema.Struct({
  status: Schema.Literal("installed", "updated", "restored", "pending"),
  tenantId: TenantId,
  guildId: GuildId,
  message: Schema.String
}).annotations({ identifier: "GuildInstall" })

export const UnclaimedGuildView = Schema.Struct(UnclaimedGuild.fields).annotations({ identifier: "UnclaimedGuild" })

export const CallbackParams = Schema.Struct({
  state: Schema.optional(Schema.String),
  guild_id: Schema.optional(Schema.String),
  code: Schema.optional(Schema.String),
  permissions: Schema.optional(Schema.String),
  error: Schema.optional(Schema.String),
  error_description: Schema.optional(Schema.String)
}).annotations({
  // Discord fills this query string in and may add parameters; the rest of the Api refuses unknown ones (ADR 093).
  parseOptions: { onExcessProperty: "ignore" }
})
export type CallbackParams = typeof CallbackParams.Type

/** Making invite links, and the operator's view of guilds nobody claimed. */
export class DiscordApi extends HttpApiGroup.make("discord")
  .add(
    HttpApiEndpoint.post("invite", "/discord/invite")
      .setPayload(CreateInvite)
      .addSuccess(InviteLink)
      .addError(TenantNotFound)
      .addError(InvalidInput)
      .addError(DiscordNotConfigured)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "An invite link that adds the bot to a server under this tenant")
      .annotate(
        OpenApi.Description,
        "The link carries a signed `state` naming the tenant, valid for one hour. When the admin adds the bot " +
          "with it, Discord redirects to GET /discord/callback and the server is installed under the tenant " +
          "(subject to the plan's guild limit). Without DISCORD_APPLICATION_ID: 503."
      )
  )
  .add(
    HttpApiEndpoint.get("unclaimed", "/discord/unclaimed")
      .annotate(Access, Access.operator)
      .addSuccess(Schema.Array(UnclaimedGuildView))
      .addError(OperatorOnly)
      .annotate(OpenApi.Summary, "Servers the bot is in that no tenant claimed (operator)")
  )
  .add(
    HttpApiEndpoint.post("claim", "/discord/unclaimed/:guildId/claim")
      .annotate(Access, Access.operator)
      .setPath(Schema.Struct({ guildId: GuildId }))
      .setPayload(Schema.Struct({ tenantId: TenantId }).annotations({ identifier: "ClaimGuild" }))
      .addSuccess(GuildInstallView)
      .addError(OperatorOnly)
      .addError(TenantNotFound)
      .addError(UnclaimedGuildNotFound)
      .addError(GuildInstallRefused)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Install an unclaimed server under a tenant (operator)")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Adding the bot to Discord servers: invite links and unclaimed servers")
{}

/** Discord redirects the admin here after the bot was added; no API key: the signed state is the proof. */
export class DiscordCallbackApi extends HttpApiGroup.make("discordCallback")
  .add(
    HttpApiEndpoint.get("callback", "/discord/callback")
      .setUrlParams(CallbackParams)
      .addSuccess(GuildInstallView)
      .addError(InvalidInviteState)
      .addError(InviteCallbackIncomplete)
      .addError(GuildInstallRefused)
      .annotate(OpenApi.Summary, "Where Discord sends the admin back after adding the bot")
      .annotate(
        OpenApi.Description,
        "Verifies `state` (signed, one hour) and installs `guild_id` under its tenant, or, when the bot has not " +
          "seen the server join yet, keeps the claim for ten minutes (status `pending`). A bad or expired state " +
          "is 400; a refused install (guild limit, another tenant's server) is 409 with what to do. A browser " +
          "(Accept: text/html) gets the same outcome as a short HTML page, with the same status."
      )
  )
  .annotate(OpenApi.Description, "Discord's OAuth redirect after the bot was added")
{}
