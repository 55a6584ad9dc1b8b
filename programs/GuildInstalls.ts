import { Effect, Layer } from "effect"
import { discordSettingsConfig } from "../adapters/discord/index.js"
import { DiscordApplicationId } from "../adapters/http/index.js"
import { GuildInstalls, InviteSigningKey } from "../core/index.js"
import type { RunMode } from "./Settings.js"

/**
 * How guilds the bot joins get their tenant (ADR 070): GuildInstalls for the
 * run mode, its invite signing key (GUILDHALL_INVITE_SECRET, else the one
 * generated into the database), and DISCORD_APPLICATION_ID for invite links.
 * Needs Tenancy, the repositories and Crypto.
 */
export const GuildInstallsLive = (mode: RunMode) =>
  Layer.unwrapEffect(
    Effect.map(discordSettingsConfig, (settings) =>
      Layer.merge(GuildInstalls.layer(mode), Layer.succeed(DiscordApplicationId, settings.applicationId)).pipe(
        Layer.provideMerge(InviteSigningKey.layer(settings.inviteSecret))
      ))
  )
