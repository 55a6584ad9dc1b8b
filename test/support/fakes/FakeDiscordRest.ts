import { Effect, type Scope } from "effect"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A local stand-in for Discord's REST API v10, for the routes the role adapter
 * calls: `PUT`/`DELETE /api/v10/guilds/:g/members/:u/roles/:r` (204) and
 * `GET /api/v10/guilds/:g/members/:u` (the member, with its roles). It answers
 * with Discord's error bodies `{ message, code }` and statuses, 429s with
 * `retry_after` and the rate-limit headers Discord sends, requires
 * `Authorization: Bot <token>`, and records every request.
 */

export interface RecordedDiscordRequest {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  /** X-Audit-Log-Reason, URI-decoded as Discord does. */
  readonly auditLogReason: string | undefined
}

/** A refusal the next request gets instead of its normal answer. */
export type DiscordRefusal =
  | { readonly kind: "error"; readonly status: number; readonly code: number; readonly message: string }
  /** A 429 asking to wait `retryAfterSeconds`. */
  | { readonly kind: "rate_limited"; readonly retryAfterSeconds: number; readonly global?: boolean }
  /** A 5xx with an HTML body, as Cloudflare answers when Discord is down. */
  | { readonly kind: "server_error"; readonly status: number }

export const discordErrors = {
  missingPermissions: { kind: "error", status: 403, code: 50013, message: "Missing Permissions" },
  missingAccess: { kind: "error", status: 403, code: 50001, message: "Missing Access" },
  unknownMember: { kind: "error", status: 404, code: 10007, message: "Unknown Member" },
  unknownRole: { kind: "error", status: 404, code: 10011, message: "Unknown Role" }
} as const satisfies Record<string, DiscordRefusal>

export interface FakeDiscordRest {
  /** For REST's `api` option (DISCORD_API_BASE): `http://127.0.0.1:PORT/api`. */
  readonly apiBase: string
  readonly requests: ReadonlyArray<RecordedDiscordRequest>
  /** A guild with these roles (the bot may manage them all). */
  readonly addGuild: (guildId: string, roles: ReadonlyArray<string>) => void
  /** Makes `userId` a member of the guild holding `roles`. */
  readonly addMember: (guildId: string, userId: string, roles?: ReadonlyArray<string>) => void
  /** The member's roles, undefined when not a member. */
  readonly rolesOf: (guildId: string, userId: string) => ReadonlyArray<string> | undefined
  /** The next request (or `times` requests) gets `refusal`. */
  readonly refuseNext: (refusal: DiscordRefusal, times?: number) => void
}

interface Guild {
  readonly roles: Set<string>
  readonly members: Map<string, Set<string>>
}

const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { "content-type": "application/json", ...headers })
  response.end(JSON.stringify(body))
}

const noContent = (response: ServerResponse) => {
  response.writeHead(204)
  response.end()
}

const error = (response: ServerResponse, status: number, code: number, message: string) =>
  json(response, status, { message, code })

const refuse = (response: ServerResponse, refusal: DiscordRefusal) => {
  switch (refusal.kind) {
    case "error":
      return error(response, refusal.status, refusal.code, refusal.message)
    case "rate_limited": {
      const global = refusal.global ?? false
      return json(
        response,
        429,
        { message: "You are being rate limited.", retry_after: refusal.retryAfterSeconds, global },
        {
          "retry-after": String(Math.ceil(refusal.retryAfterSeconds)),
          "x-ratelimit-limit": "10",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Date.now() / 1000 + refusal.retryAfterSeconds),
          "x-ratelimit-reset-after": String(refusal.retryAfterSeconds),
          "x-ratelimit-bucket": "fakebucket0000000000000000000000",
          "x-ratelimit-scope": global ? "global" : "user",
          ...(global ? { "x-ratelimit-global": "true" } : {})
        }
      )
    }
    case "server_error":
      response.writeHead(refusal.status, { "content-type": "text/html" })
      return response.end("<html><body>upstream connect error</body></html>")
  }
}

const memberRole = /^\/api\/v10\/guilds\/(\d+)\/members\/(\d+)\/roles\/(\d+)$/
const member = /^\/api\/v10\/guilds\/(\d+)\/members\/(\d+)$/

export const FakeDiscordRest = {
  make: (options: { readonly token: string }): Effect.Effect<FakeDiscordRest, never, Scope.Scope> =>
    Effect.acquireRelease(
      Effect.async<{ readonly fake: FakeDiscordRest; readonly close: () => Promise<void> }>((resume) => {
        const requests: Array<RecordedDiscordRequest> = []
        const guilds = new Map<string, Guild>()
        const refusals: Array<DiscordRefusal> = []
        let apiBase = ""
        const fake: FakeDiscordRest = {
          get apiBase() {
            return apiBase
          },
          get requests() {
            return requests
          },
          addGuild: (guildId, roles) => void guilds.set(guildId, { roles: new Set(roles), members: new Map() }),
          addMember: (guildId, userId, roles = []) => void guilds.get(guildId)?.members.set(userId, new Set(roles)),
          rolesOf: (guildId, userId) => {
            const roles = guilds.get(guildId)?.members.get(userId)
            return roles === undefined ? undefined : Array.from(roles)
          },
          refuseNext: (refusal, times = 1) => {
            for (let i = 0; i < times; i++) refusals.push(refusal)
          }
        }
        const server = createServer((request, response) => {
          request.resume()
          request.on("end", () => {
            const path = new URL(request.url ?? "/", "http://fake").pathname
            const reason = request.headers["x-audit-log-reason"]
            requests.push({
              method: request.method ?? "",
              path,
              authorization: request.headers.authorization,
              auditLogReason: typeof reason === "string" ? decodeURIComponent(reason) : undefined
            })
            if (request.headers.authorization !== `Bot ${options.token}`) {
              return error(response, 401, 0, "401: Unauthorized")
            }
            const refusal = refusals.shift()
            if (refusal !== undefined) return refuse(response, refusal)

            const roleMatch = memberRole.exec(path)
            const memberMatch = member.exec(path)
            const [guildId, userId] = (roleMatch ?? memberMatch ?? []).slice(1)
            const guild = guildId === undefined ? undefined : guilds.get(guildId)
            if (guildId !== undefined && guild === undefined) return error(response, 404, 10004, "Unknown Guild")
            if (guild !== undefined && userId !== undefined) {
              const roles = guild.members.get(userId)
              if (roleMatch !== null && (request.method === "PUT" || request.method === "DELETE")) {
                const roleId = roleMatch[3]!
                if (!guild.roles.has(roleId)) return error(response, 404, 10011, "Unknown Role")
                if (roles === undefined) return error(response, 404, 10007, "Unknown Member")
                if (request.method === "PUT") roles.add(roleId)
                else roles.delete(roleId)
                return noContent(response)
              }
              if (memberMatch !== null && request.method === "GET") {
                if (roles === undefined) return error(response, 404, 10007, "Unknown Member")
                return json(response, 200, {
                  user: { id: userId, username: `user${userId}`, discriminator: "0", global_name: null, avatar: null },
                  nick: null,
                  avatar: null,
                  banner: null,
                  roles: Array.from(roles),
                  joined_at: "2026-01-01T00:00:00.000000+00:00",
                  premium_since: null,
                  deaf: false,
                  mute: false,
                  flags: 0,
                  pending: false,
                  communication_disabled_until: null
                })
              }
            }
            return json(response, 405, { message: "405: Method Not Allowed", code: 0 })
          })
        })
        server.listen(0, "127.0.0.1", () => {
          apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`
          resume(Effect.succeed({
            fake,
            close: () =>
              new Promise<void>((resolve) => {
                server.closeAllConnections()
                server.close(() => resolve())
              })
          }))
        })
      }),
      (started) => Effect.promise(started.close)
    ).pipe(Effect.map((started) => started.fake))
}
