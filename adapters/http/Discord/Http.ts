import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import {
  defaultBotPermissions,
  GuildId,
  type GuildInstallOutcome,
  GuildInstalls,
  type InvalidInviteState
} from "../../../core/index.js"
import { Api } from "../Api.js"
import { htmlContentType, htmlPage } from "../Pages/htmlPage.js"
import { actingTenant, ensureOperator } from "../Policy.js"
import { PublicUrl } from "../PublicUrl.js"
import { type CallbackParams, DiscordNotConfigured, GuildInstallRefused, InviteCallbackIncomplete } from "./Api.js"
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

const pageResponse = (status: number, title: string, paragraphs: ReadonlyArray<string>) =>
  HttpServerResponse.text(htmlPage(title, paragraphs), { status, contentType: htmlContentType })

const installedPage = (view: Effect.Effect.Success<ReturnType<typeof viewOf>>) =>
  view.status === "pending"
    ? pageResponse(200, "Almost there", [
      "Discord added the bot. It finishes setting up as soon as it sees your server, usually within seconds.",
      "Go back to Discord. If the bot's commands have not appeared within ten minutes, open the invite link again."
    ])
    : pageResponse(200, "The bot is in your server", [
      "Everything is set up. Go back to Discord and run /setup start to choose what the bot does there."
    ])

const refusedPage = (error: InvalidInviteState | InviteCallbackIncomplete | GuildInstallRefused) => {
  switch (error._tag) {
    case "GuildInstallRefused":
      return pageResponse(409, "The bot could not be set up in this server", [
        error.message,
        ...(error.remediation === undefined ? [] : [error.remediation])
      ])
    case "InvalidInviteState":
      return pageResponse(400, "This invite link did not work", [
        error.message,
        "Ask for a new invite link and add the bot with it."
      ])
    case "InviteCallbackIncomplete":
      return pageResponse(400, "The bot was not added", [error.message])
  }
}

export const HttpDiscordLive = HttpApiBuilder.group(Api, "discord", (handlers) =>
  Effect.gen(function*() {
    const installs = yield* GuildInstalls
    const applicationId = yield* DiscordApplicationId
    const publicUrl = yield* PublicUrl

    return handlers
      .handle("invite", ({ payload }) =>
        Effect.gen(function*() {
          const { tenantId } = yield* actingTenant(payload.tenantId)
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

export const HttpDiscordCallbackLive = HttpApiBuilder.group(
  Api,
  "discordCallback",
  (handlers) =>
    Effect.gen(function*() {
      const installs = yield* GuildInstalls

      const install = (urlParams: CallbackParams) =>
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
        })

      // Discord sends the admin's browser here: it gets a page; an API client (no text/html in Accept) gets JSON.
      return handlers.handle("callback", ({ urlParams }) =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          if (!(request.headers.accept ?? "").includes("text/html")) return yield* install(urlParams)
          return yield* Effect.match(install(urlParams), { onSuccess: installedPage, onFailure: refusedPage })
        }))
    })
)
