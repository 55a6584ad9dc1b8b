import { DiscordAPIError, RateLimitError, type REST, Routes } from "discord.js"
import { Effect } from "effect"
import { DiscordMessageError, DiscordMessages, type DiscordMessagesService } from "../../core/index.js"

/**
 * DiscordMessages over Discord's REST API (discord.js's REST, shared per bot
 * token): `POST /channels/{c}/messages` with `allowed_mentions` listing exactly
 * the users and roles the caller names, so a template or an announcement can
 * never ping @everyone, @here or anyone else whatever its text says.
 */

/** Discord's JSON error codes we map; see https://discord.com/developers/docs/topics/opcodes-and-status-codes. */
const refusals: Record<number, DiscordMessageError["reason"]> = {
  50013: "missing_permissions",
  50001: "missing_access",
  10004: "missing_access", // Unknown Guild: the bot is not in it (any more)
  10003: "unknown_channel"
}

/** What a REST failure means for the message. Never retryable for 401/403: retrying those blindly gets the IP banned. */
export const toMessageError = (error: unknown): DiscordMessageError => {
  if (error instanceof RateLimitError) {
    return DiscordMessageError.of("rate_limited", Math.ceil(Math.max(error.retryAfter, error.timeToReset, 0)))
  }
  if (error instanceof DiscordAPIError) {
    const known = typeof error.code === "number" ? refusals[error.code] : undefined
    if (known !== undefined) return DiscordMessageError.of(known)
    if (error.status === 401) return DiscordMessageError.of("missing_access") // a revoked or wrong token
    if (error.status === 403) return DiscordMessageError.of("missing_permissions")
    // A 5xx with a JSON body, or another 4xx: not the admin's to fix; the outbox retries with backoff.
    return DiscordMessageError.of("unavailable")
  }
  // HTTPError (5xx without a JSON body), timeouts and network failures.
  return DiscordMessageError.of("unavailable")
}

/** The service over an existing REST client. */
export const makeDiscordMessagesRest = (rest: REST): DiscordMessagesService =>
  DiscordMessages.of({
    send: (message) =>
      Effect.tryPromise({
        try: (signal) =>
          rest.post(Routes.channelMessages(message.channelId), {
            body: {
              content: message.content,
              // parse: [] turns off every implicit mention; only the listed ids ping.
              allowed_mentions: { parse: [], users: message.mentions.users, roles: message.mentions.roles },
              ...(message.nonce === undefined ? {} : { nonce: message.nonce, enforce_nonce: true })
            },
            signal
          }),
        catch: toMessageError
      }).pipe(
        Effect.asVoid,
        Effect.withSpan("DiscordMessages.send", { attributes: { channelId: message.channelId } })
      )
  })
