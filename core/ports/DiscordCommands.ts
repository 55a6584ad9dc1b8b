import { Context, DateTime, type Effect, Schema } from "effect"
import type { DiscordCommandJson } from "../bot/DiscordCommandJson.js"
import { type GuildId, Snowflake } from "../ids.js"

/** A Discord application (bot) id: a snowflake. */
export const ApplicationId = Snowflake("A Discord application id").pipe(Schema.brand("ApplicationId"))
export type ApplicationId = typeof ApplicationId.Type

/** Why Discord refused a guild's command set. */
export const DiscordCommandsFailure = Schema.Literal(
  /** 30034: 200 command creates per guild per day used up; retry at retryAt (Discord's daily reset). */
  "daily_limit",
  /** 50001: the bot was not invited with the applications.commands scope, or was removed. */
  "missing_access",
  /** 50035 and other 4xx: Discord rejected the definitions themselves; retrying the same set cannot help. */
  "invalid_commands",
  /** 429: retry after retryAfterMs. */
  "rate_limited",
  /** 5xx or a network failure: retry later. */
  "unavailable"
)
export type DiscordCommandsFailure = typeof DiscordCommandsFailure.Type

const explanations: Record<DiscordCommandsFailure, { readonly message: string; readonly remediation: string }> = {
  daily_limit: {
    message: "Discord's daily limit of 200 new commands for this server is used up",
    remediation:
      "Nothing to do: the bot's commands in this server update after Discord's daily reset (midnight UTC). Avoid toggling features back and forth until then."
  },
  missing_access: {
    message: "Discord refused to register the bot's commands in this server",
    remediation:
      "Re-invite the bot with the applications.commands scope (the invite link from /setup or the dashboard includes it)."
  },
  invalid_commands: {
    message: "Discord rejected the bot's command definitions",
    remediation:
      "Report this to the operator: a feature's commands break one of Discord's rules. The server keeps its previous commands."
  },
  rate_limited: {
    message: "Discord rate-limited the command update",
    remediation: "Nothing to do: it is retried automatically."
  },
  unavailable: {
    message: "Discord is unavailable",
    remediation: "Nothing to do: it is retried automatically."
  }
}

export class DiscordCommandsError extends Schema.TaggedError<DiscordCommandsError>()("DiscordCommandsError", {
  reason: DiscordCommandsFailure,
  message: Schema.String,
  /** What the guild's admin can do about it. */
  remediation: Schema.String,
  /** For rate_limited and unavailable: how long Discord asked us to wait (null: not said). */
  retryAfterMs: Schema.NullOr(Schema.Number),
  /** For daily_limit: when Discord resets the limit. */
  retryAt: Schema.NullOr(Schema.DateTimeUtcFromSelf)
}) {
  static of(
    reason: Exclude<DiscordCommandsFailure, "daily_limit">,
    retryAfterMs: number | null = null
  ): DiscordCommandsError {
    return new DiscordCommandsError({ reason, ...explanations[reason], retryAfterMs, retryAt: null })
  }

  /** The daily create limit, lifted at `retryAt`. */
  static dailyLimit(retryAt: DateTime.Utc): DiscordCommandsError {
    return new DiscordCommandsError({
      reason: "daily_limit",
      ...explanations.daily_limit,
      remediation: `Nothing to do: the bot's commands in this server update after ${DateTime.formatIso(retryAt)}. ` +
        "Avoid toggling features back and forth until then.",
      retryAfterMs: null,
      retryAt
    })
  }

  /** Worth retrying soon; daily_limit waits for retryAt, missing_access for a re-invite, invalid_commands for a fix. */
  get retryable(): boolean {
    return this.reason === "rate_limited" || this.reason === "unavailable"
  }
}

/** Discord resets the daily command-create limit at midnight UTC: the next one after `now`. */
export const nextDailyReset = (now: DateTime.Utc): DateTime.Utc =>
  DateTime.add(DateTime.startOf(now, "day"), { days: 1 })

/** A guild's slash commands at Discord. */
export interface DiscordCommandsService {
  /** Replaces the application's whole command set in the guild (PUT /applications/{app}/guilds/{guild}/commands). */
  readonly overwriteGuildCommands: (
    applicationId: ApplicationId,
    guildId: GuildId,
    commands: ReadonlyArray<DiscordCommandJson>
  ) => Effect.Effect<void, DiscordCommandsError>
}

export class DiscordCommands extends Context.Tag("core/DiscordCommands")<DiscordCommands, DiscordCommandsService>() {}
