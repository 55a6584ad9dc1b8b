import { DiscordAPIError, RateLimitError, type REST, Routes } from "discord.js"
import { type ConfigError, Effect, Layer, Option, type Redacted, Schema } from "effect"
import {
  DiscordRoleError,
  DiscordRoles,
  type DiscordRolesService,
  type GuildId,
  type RoleChange,
  RoleId,
  type UserId
} from "../../core/index.js"
import { makeRest } from "./DiscordClients.js"
import { DiscordRolesOffline } from "./DiscordRolesOffline.js"
import { type DiscordSettings, discordSettingsConfig } from "./DiscordSettings.js"

/**
 * DiscordRoles over Discord's REST API (discord.js's REST, ADR 060): one role
 * per call with `PUT`/`DELETE /guilds/{g}/members/{u}/roles/{r}` (never the
 * whole role list, which a stale cache would clobber), the change's reason in
 * the audit log.
 */

/** Discord's JSON error codes we map; see https://discord.com/developers/docs/topics/opcodes-and-status-codes. */
const refusals: Record<number, DiscordRoleError["reason"]> = {
  50013: "missing_permissions",
  50001: "missing_access",
  10004: "missing_access", // Unknown Guild: the bot is not in it (any more)
  10007: "unknown_member",
  10011: "unknown_role"
}

/** What a REST failure means for the role change. Never "retryable" for 401/403: retrying those blindly gets the IP banned. */
export const toRoleError = (error: unknown): DiscordRoleError => {
  if (error instanceof RateLimitError) {
    return DiscordRoleError.of("rate_limited", Math.ceil(Math.max(error.retryAfter, error.timeToReset, 0)))
  }
  if (error instanceof DiscordAPIError) {
    const known = typeof error.code === "number" ? refusals[error.code] : undefined
    if (known !== undefined) return DiscordRoleError.of(known)
    if (error.status === 401) return DiscordRoleError.of("missing_access") // a revoked or wrong token
    if (error.status === 403) return DiscordRoleError.of("missing_permissions")
    // A 5xx with a JSON body, or another 4xx: not the admin's to fix; the outbox retries with backoff.
    return DiscordRoleError.of("unavailable")
  }
  // HTTPError (5xx without a JSON body), timeouts and network failures.
  return DiscordRoleError.of("unavailable")
}

const Member = Schema.Struct({ roles: Schema.Array(RoleId) })
const decodeMember = Schema.decodeUnknown(Member)

export interface DiscordRestSettings {
  readonly token: Redacted.Redacted<string>
  /** The API base without the version; undefined: https://discord.com/api. */
  readonly apiBase?: string | undefined
}

const call = <A>(request: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({ try: request, catch: toRoleError })

/** The service over an existing REST client. */
export const makeDiscordRolesRest = (rest: REST): DiscordRolesService => {
  const roleRoute = (change: RoleChange) => Routes.guildMemberRole(change.guildId, change.userId, change.roleId)
  return DiscordRoles.of({
    grant: (change) =>
      call((signal) => rest.put(roleRoute(change), { reason: change.reason, signal })).pipe(
        Effect.asVoid,
        Effect.withSpan("DiscordRoles.grant")
      ),
    revoke: (change) =>
      call((signal) => rest.delete(roleRoute(change), { reason: change.reason, signal })).pipe(
        Effect.asVoid,
        Effect.withSpan("DiscordRoles.revoke")
      ),
    memberRoles: (guildId: GuildId, userId: UserId) =>
      call((signal) => rest.get(Routes.guildMember(guildId, userId), { signal })).pipe(
        Effect.flatMap((body) => Effect.mapError(decodeMember(body), () => DiscordRoleError.of("unavailable"))),
        Effect.map((member): Option.Option<ReadonlyArray<RoleId>> => Option.some(member.roles)),
        Effect.catchIf(
          (error) => error.reason === "unknown_member",
          () => Effect.succeed(Option.none())
        ),
        Effect.withSpan("DiscordRoles.memberRoles")
      )
  })
}

/** DiscordRoles over Discord's REST API with this token; the REST client's sweepers stop with the layer. */
export const DiscordRolesRest = (settings: DiscordRestSettings): Layer.Layer<DiscordRoles> =>
  Layer.scoped(
    DiscordRoles,
    Effect.map(
      Effect.acquireRelease(Effect.sync(() => makeRest(settings.token, settings.apiBase)), (rest) =>
        Effect.sync(() => {
          rest.clearHashSweeper()
          rest.clearHandlerSweeper()
        })),
      makeDiscordRolesRest
    )
  )

/** From settings: REST when a token is set, otherwise the offline behaviour (every call unavailable). */
export const discordRolesFrom = (settings: DiscordSettings): Layer.Layer<DiscordRoles> =>
  Option.match(settings.token, {
    onNone: () => DiscordRolesOffline,
    onSome: (token) => DiscordRolesRest({ token, apiBase: Option.getOrUndefined(settings.apiBase) })
  })

/** DiscordRoles from DISCORD_TOKEN and DISCORD_API_BASE. */
export const DiscordRolesLive: Layer.Layer<DiscordRoles, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(discordSettingsConfig, discordRolesFrom)
)
