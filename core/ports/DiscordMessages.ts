import { Context, type Effect, Schema } from "effect"
import type { ChannelId, GuildId, RoleId, UserId } from "../ids.js"

/** Why Discord refused to post a message; each reason has a remediation for the guild's admin. */
export const DiscordMessageFailure = Schema.Literal(
  /** 50013: the bot may not send messages (or mention) in that channel. */
  "missing_permissions",
  /** 50001: the bot cannot see the channel (or the guild). */
  "missing_access",
  /** 10003: the channel was deleted. */
  "unknown_channel",
  /** 429: retry after retryAfterMs. */
  "rate_limited",
  /** 5xx or a network failure: retry later. */
  "unavailable"
)
export type DiscordMessageFailure = typeof DiscordMessageFailure.Type

/** What Discord's refusal means, and what the guild's admin can do about it. */
const explanations: Record<DiscordMessageFailure, { readonly message: string; readonly remediation: string }> = {
  missing_permissions: {
    message: "Discord refused the message: the bot may not send messages in this channel",
    remediation:
      "Give the bot View Channel and Send Messages in the channel (Edit Channel > Permissions), or choose another channel."
  },
  missing_access: {
    message: "The bot cannot see this channel",
    remediation: "Give the bot View Channel in the channel, or re-invite the bot to the server."
  },
  unknown_channel: {
    message: "The channel no longer exists",
    remediation:
      "The channel was deleted in Discord: choose another one (PUT /guilds/{guildId}/features/{feature} with its channelId)."
  },
  rate_limited: {
    message: "Discord rate-limited the message",
    remediation: "Nothing to do: it is retried automatically."
  },
  unavailable: {
    message: "Discord is unavailable",
    remediation: "Nothing to do: it is retried automatically."
  }
}

export class DiscordMessageError extends Schema.TaggedError<DiscordMessageError>()("DiscordMessageError", {
  reason: DiscordMessageFailure,
  message: Schema.String,
  /** What an admin can do about it ("give the bot Send Messages in #announcements"). */
  remediation: Schema.String,
  /** For rate_limited and unavailable: how long Discord asked us to wait. */
  retryAfterMs: Schema.NullOr(Schema.Number)
}) {
  /** The error for `reason`, with the message and remediation a guild's admin sees. */
  static of(reason: DiscordMessageFailure, retryAfterMs: number | null = null): DiscordMessageError {
    return new DiscordMessageError({ reason, ...explanations[reason], retryAfterMs })
  }

  /** Worth retrying later; permission and unknown-channel errors are not (retrying them in a loop gets the IP banned). */
  get retryable(): boolean {
    return this.reason === "rate_limited" || this.reason === "unavailable"
  }
}

/** Who a message may ping: exactly these users and roles, never @everyone or @here. */
export interface MessageMentions {
  readonly users: ReadonlyArray<UserId>
  readonly roles: ReadonlyArray<RoleId>
}

export interface OutgoingMessage {
  readonly guildId: GuildId
  readonly channelId: ChannelId
  readonly content: string
  readonly mentions: MessageMentions
  /**
   * At most 25 characters: Discord drops a second message with the same nonce
   * from the bot within a few minutes, so a job that posted and then crashed
   * before completing does not post twice.
   */
  readonly nonce?: string
}

export const noMentions: MessageMentions = { users: [], roles: [] }

/** Posts messages to guild channels. */
export interface DiscordMessagesService {
  readonly send: (message: OutgoingMessage) => Effect.Effect<void, DiscordMessageError>
}

export class DiscordMessages extends Context.Tag("core/DiscordMessages")<DiscordMessages, DiscordMessagesService>() {}
