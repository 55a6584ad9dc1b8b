import { Data, type DateTime, Duration, type Option, Schema } from "effect"
import { GuildId, type TenantId, type UserId } from "../ids.js"
import type { Guild } from "../tenancy/Guild.js"

// What installing a guild takes and answers (ADR 070): its inputs, outcomes and refusals.

/**
 * A claim applies only to a guild the bot first saw at most this long before
 * the claim was made, and expires this long after it. The callback's
 * `guild_id` is not signed by Discord, so a tenant could name someone else's
 * guild; the window limits that to guilds joining at about the same time.
 */
export const claimWindow = Duration.minutes(10)

export type InstallMode = "hosted" | "self-host"

export interface InviteLinkOptions {
  /** The Discord application's id (DISCORD_APPLICATION_ID). */
  readonly applicationId: string
  readonly permissions: bigint
  /** Where Discord sends the admin back: our GET /discord/callback, registered in the Discord application. */
  readonly redirectUri: string
}

/** A guild as the gateway reports it in GUILD_CREATE. */
export interface AvailableGuild {
  readonly guildId: GuildId
  readonly name: string
  readonly ownerId: UserId
}

/** A stored unclaimed guild is too old for an invite callback to claim (see `claimWindow`). */
export class ClaimTooLate extends Schema.TaggedError<ClaimTooLate>()("ClaimTooLate", {
  guildId: GuildId,
  message: Schema.String,
  remediation: Schema.String
}) {
  static of(guildId: GuildId) {
    return new ClaimTooLate({
      guildId,
      message: `The bot joined guild ${guildId} more than ${
        Duration.format(claimWindow)
      } before this invite was completed, so the invite cannot claim it`,
      remediation: `Remove the bot from the server and add it again with a new invite link, or ask the operator ` +
        `to claim it (POST /discord/unclaimed/${guildId}/claim)`
    })
  }
}

/** The operator named a guild the bot has not seen. */
export class UnclaimedGuildNotFound extends Schema.TaggedError<UnclaimedGuildNotFound>()("UnclaimedGuildNotFound", {
  guildId: GuildId,
  message: Schema.String,
  remediation: Schema.String
}) {
  static of(guildId: GuildId) {
    return new UnclaimedGuildNotFound({
      guildId,
      message: `The bot is not in guild ${guildId}, or it has not been seen since it joined`,
      remediation: "Check the id in GET /discord/unclaimed; the guild appears there once the bot has joined it"
    })
  }
}

/** Why a guild was not installed: an error with a message a person can act on. */
export interface Refusal {
  readonly _tag: string
  readonly message: string
  readonly remediation?: string | undefined
}

export type GuildInstallOutcome = Data.TaggedEnum<{
  /** Newly installed under the tenant. */
  Installed: { readonly tenantId: TenantId; readonly guild: Guild }
  /** Already installed under the tenant: its name and owner refreshed. */
  Updated: { readonly tenantId: TenantId; readonly guild: Guild }
  /** Installed again under the tenant that had it before, with its config. */
  Restored: { readonly tenantId: TenantId; readonly guild: Guild }
  /** The callback's claim is stored; the guild installs when the bot sees it join. */
  Pending: { readonly tenantId: TenantId; readonly guildId: GuildId; readonly expiresAt: DateTime.Utc }
  /** The bot is in the guild and no tenant claimed it. */
  Unclaimed: { readonly guildId: GuildId }
  /** Not installed: the plan's guild limit, another tenant's guild, a suspended tenant, a claim too late... */
  Refused: { readonly guildId: GuildId; readonly tenantId: Option.Option<TenantId>; readonly refusal: Refusal }
}>
export const GuildInstallOutcome = Data.taggedEnum<GuildInstallOutcome>()

export type GuildRemovalOutcome =
  | { readonly _tag: "Removed"; readonly tenantId: TenantId; readonly guildId: GuildId }
  | { readonly _tag: "Unknown"; readonly guildId: GuildId }
