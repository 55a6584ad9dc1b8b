import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import { defaultBotPermissions, GuildId, type GuildInstallOutcome, GuildInstalls } from "../../../core/index.js"
import { actingTenant, ensureOperator } from "../Access.js"
import { Api } from "../Api.js"
import { PublicUrl } from "../PublicUrl.js"
import { DiscordNotConfigured, GuildInstallRefused, InviteCallbackIncomplete } from "./Api.js"
import { DiscordApplicationId } from "./DiscordApplicationId.js"

/** An outcome as the API answers it: done or waiting, else the refusal (409) with what to do. */
const viewOf = (guildId: GuildId, outcome: GuildInstallOutcome) => {
  switch (outcome._tag) {
    case "Installed":
    case "Updated":
    case "Restored":
      return Effect.succeed({
        status: outcome._tag.toLowerCase() as "installed" | "updated" | "restored",
        tenantId: outcome.tenantId,
        guildId,
        message: `Guild ${guildId} is installed under tenant ${outcome.tenantId}`
      })
    case "Pending":
      return Effect.succeed({
        status: "pending" as const,
        tenantId: outcome.tenantId,
        guildId,
        message: `Waiting for the bot to join guild ${guildId}; it is installed under tenant ${outcome.tenantId} ` +
          "as soon as it does"
      })
    case "Refused":
      return Effect.fail(
        new GuildInstallRefused({
          guildId,
          reason: outcome.refusal._tag,
          message: outcome.refusal.message,
          ...(outcome.refusal.remediation === undefined ? {} : { remediation: outcome.refusal.remediation })
        })
      )
    case "Unclaimed":
      // claim and claimByOperator never leave a guild unclaimed without refusing.
      return Effect.dieMessage(`guild ${guildId} stayed unclaimed after a claim`)
  }
}

const decodeGuildId = Schema.decodeUnknownOption(GuildId)

export const DiscordLive = HttpApiBuilder.group(Api, "discord", (handlers) =>
  Effect.gen(function*() {
    const installs = yield* GuildInstalls
    const applicationId = yield* DiscordApplicationId
    const publicUrl = yield* PublicUrl

    return handlers
      .handle("invite", ({ payload }) =>
        Effect.gen(function*() {
          const tenantId = yield* actingTenant(payload.tenantId)
          if (Option.isNone(applicationId)) return yield* DiscordNotConfigured.applicationId
          return yield* installs.inviteUrl(tenantId, {
            applicationId: applicationId.value,
            permissions: defaultBotPermissions,
            redirectUri: payload.redirectUri ?? `${publicUrl}/discord/callback`
          })
        }))
      .handle("unclaimed", () => Effect.zipRight(ensureOperator("list unclaimed guilds"), installs.listUnclaimed()))
      .handle("claim", ({ path, payload }) =>
        Effect.gen(function*() {
          yield* ensureOperator("claim a guild for a tenant")
          return yield* viewOf(path.guildId, yield* installs.claimByOperator(path.guildId, payload.tenantId))
        }))
  }))

export const DiscordCallbackLive = HttpApiBuilder.group(Api, "discordCallback", (handlers) =>
  Effect.gen(function*() {
    const installs = yield* GuildInstalls

    return handlers.handle("callback", ({ urlParams }) =>
      Effect.gen(function*() {
        if (urlParams.error !== undefined) {
          return yield* new InviteCallbackIncomplete({
            message: `Discord did not add the bot: ${urlParams.error_description ?? urlParams.error}. ` +
              "Open the invite link again to retry"
          })
        }
        const guildId = decodeGuildId(urlParams.guild_id)
        if (urlParams.state === undefined || Option.isNone(guildId)) {
          return yield* new InviteCallbackIncomplete({
            message: "This page expects Discord's redirect after adding the bot (with state and guild_id); " +
              "open the invite link from POST /discord/invite instead"
          })
        }
        return yield* viewOf(guildId.value, yield* installs.claim(urlParams.state, guildId.value))
      }))
  }))
