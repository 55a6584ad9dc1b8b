import { DiscordAPIError, RateLimitError, type REST, RESTEvents, Routes } from "discord.js"
import { DateTime, Effect } from "effect"
import { DiscordCommands, DiscordCommandsError, type DiscordCommandsService, nextDailyReset } from "../../core/index.js"

/**
 * DiscordCommands over Discord's REST API: one bulk overwrite
 * (`PUT /applications/{app}/guilds/{guild}/commands`) per guild.
 *
 * Discord answers the daily create limit (30034) as a 429 whose JSON body
 * carries the code and a `retry_after` of hours. discord.js never reads a
 * 429's body: with `rejectOnRateLimit` (which the shared REST client sets for
 * waits over 2 s, see DiscordRolesRest) it throws a RateLimitError, and
 * without it it would sleep out the wait and try again. So this adapter
 * listens to the client's responses and keeps the body of a 429 on a command
 * route, to tell the daily limit from an ordinary rate limit.
 */

/** Discord's JSON error codes this adapter maps. */
const dailyCreateLimit = 30034
const missingAccess = 50001

const Rejected = 429

/** What a 429 on a commands route said: its JSON body, when it had one. */
interface RateLimitBody {
  readonly code?: unknown
  readonly retry_after?: unknown
}

const commandsRoute = /^\/applications\/\d+\/guilds\/\d+\/commands$/

/** When the daily limit lifts: Discord's retry_after (seconds) when given, else its next daily reset. */
const dailyLimitUntil = (now: DateTime.Utc, retryAfterMs: number | null): DateTime.Utc =>
  retryAfterMs !== null && retryAfterMs > 0
    ? DateTime.add(now, { millis: Math.ceil(retryAfterMs) })
    : nextDailyReset(now)

const retryAfterOf = (body: RateLimitBody | undefined): number | null =>
  typeof body?.retry_after === "number" && Number.isFinite(body.retry_after) ? body.retry_after * 1_000 : null

/** What a REST failure means for the guild's command set. Never retryable for 401/403 (retried blindly they get the IP banned). */
export const toCommandsError = (
  error: unknown,
  now: DateTime.Utc,
  rateLimitBody?: RateLimitBody
): DiscordCommandsError => {
  if (rateLimitBody?.code === dailyCreateLimit) {
    const retryAfterMs = retryAfterOf(rateLimitBody) ??
      (error instanceof RateLimitError ? Math.max(error.retryAfter, error.timeToReset, 0) : null)
    return DiscordCommandsError.dailyLimit(dailyLimitUntil(now, retryAfterMs))
  }
  if (error instanceof RateLimitError) {
    return DiscordCommandsError.of("rate_limited", Math.ceil(Math.max(error.retryAfter, error.timeToReset, 0)))
  }
  if (error instanceof DiscordAPIError) {
    if (error.code === dailyCreateLimit) {
      return DiscordCommandsError.dailyLimit(dailyLimitUntil(now, retryAfterOf(error.rawError as RateLimitBody)))
    }
    if (error.code === missingAccess || error.status === 401 || error.status === 403) {
      return DiscordCommandsError.of("missing_access")
    }
    if (error.status >= 400 && error.status < 500) return DiscordCommandsError.of("invalid_commands")
    return DiscordCommandsError.of("unavailable")
  }
  // HTTPError (5xx without a JSON body), timeouts and network failures.
  return DiscordCommandsError.of("unavailable")
}

/**
 * The service over an existing REST client (shared per bot token). It adds
 * one `response` listener to the client, which makes discord.js clone each
 * response; only 429s on command routes are read.
 */
export const makeDiscordCommandsRest = (rest: REST): DiscordCommandsService => {
  /** The body of the latest 429 per command route, read as it arrives (before discord.js throws or waits). */
  const rateLimitBodies = new Map<string, Promise<RateLimitBody | undefined>>()
  rest.on(RESTEvents.Response, (request, response) => {
    if (response.status !== Rejected || !commandsRoute.test(request.path)) return
    rateLimitBodies.set(
      request.path,
      (response.json() as Promise<RateLimitBody>).then(
        (body) => (typeof body === "object" && body !== null ? body : undefined),
        () => undefined
      )
    )
  })

  const takeBody = (path: string) =>
    Effect.promise(async () => {
      const body = await rateLimitBodies.get(path)
      rateLimitBodies.delete(path)
      return body
    })

  return DiscordCommands.of({
    overwriteGuildCommands: (applicationId, guildId, commands) => {
      const route = Routes.applicationGuildCommands(applicationId, guildId)
      return Effect.tryPromise({
        try: (signal) => rest.put(route, { body: commands, signal }),
        catch: (error) => error
      }).pipe(
        Effect.catchAll((error) =>
          Effect.flatMap(
            Effect.zip(DateTime.now, takeBody(route)),
            ([now, body]) => Effect.fail(toCommandsError(error, now, body))
          )
        ),
        Effect.ensuring(Effect.sync(() => rateLimitBodies.delete(route))),
        Effect.asVoid,
        Effect.withSpan("DiscordCommands.overwriteGuildCommands", { attributes: { guildId } })
      )
    }
  })
}
