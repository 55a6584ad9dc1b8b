import { Effect, type Scope } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { WebSocketServer } from "ws"
import { Gateway, gatewayIntents, type GatewaySessionInfo, type ShardTuple } from "./discordGateway.js"
import {
  channelPayload,
  channelTypes,
  discordPermissions,
  type FakeChannel,
  type FakeGuild,
  type FakeGuildInput,
  type FakeMember,
  type FakeRole,
  type FakeUser,
  guildCreatePayload,
  guildMemberEventPayload,
  highestPosition,
  makeGuild,
  makeUser,
  memberPayload,
  memberPermissions,
  messagePayload,
  nextSnowflake,
  rolePayload,
  userPayload
} from "./discordPayloads.js"
import { discordErrors, type DiscordRefusal } from "./FakeDiscordRest.js"

/**
 * A local Discord (REST API v10 and gateway v10, JSON) that an unmodified discord.js 14
 * Client logs in to: `new Client({ intents, rest: { api: fake.apiBase } })` then
 * `client.login(token)`. discord.js fetches `GET /gateway/bot` from the fake and opens
 * the gateway it names. The fake keeps guilds (roles, channels, members), sends their
 * GUILD_CREATEs to the shard owning them, dispatches member joins and leaves, messages
 * and slash-command interactions, and records every REST request. Discord's rules that
 * matter to a bot are enforced: the bot token on REST (not on interaction callbacks and
 * webhooks, which discord.js sends without it), the role hierarchy and Manage Roles on role
 * grants, 3 s to acknowledge an interaction, one acknowledgement, the daily command-create
 * limit. Everything the driver does is synchronous except `interact`, which resolves when
 * the bot has answered.
 *
 * Compression: discord.js asks for `compress=zlib-stream` only when zlib-sync is installed
 * (it is not here); the gateway supports it with node:zlib anyway.
 */

export { gatewayCloseCodes, gatewayIntents, type GatewaySessionInfo, type ShardTuple } from "./discordGateway.js"
export { allPermissions, channelTypes, discordPermissions } from "./discordPayloads.js"
export type { FakeChannel, FakeGuildInput, FakeMemberInput, FakeRole } from "./discordPayloads.js"
export { discordErrors, type DiscordRefusal } from "./FakeDiscordRest.js"

/** Discord's refusals beyond the role adapter's, for `refuseNext`. */
export const fakeDiscordErrors = {
  ...discordErrors,
  unknownChannel: { kind: "error", status: 404, code: 10003, message: "Unknown Channel" },
  unknownInteraction: { kind: "error", status: 404, code: 10062, message: "Unknown interaction" },
  alreadyAcknowledged: {
    kind: "error",
    status: 400,
    code: 40060,
    message: "Interaction has already been acknowledged."
  },
  dailyCommandCreates: {
    kind: "error",
    status: 429,
    code: 30034,
    message: "Max number of daily application command creates has been reached (200)"
  }
} as const satisfies Record<string, DiscordRefusal>

export interface FakeDiscordOptions {
  readonly token: string
  readonly applicationId?: string
  readonly botUserId?: string
  readonly botUsername?: string
  /** HELLO's heartbeat_interval (default 41250 like Discord). */
  readonly heartbeatIntervalMs?: number
  /** Command creates allowed per guild per UTC day (default 200). */
  readonly dailyCommandCreates?: number
  /** Time to acknowledge an interaction before Discord answers 10062 (default 3000). */
  readonly interactionDeadlineMs?: number
  /** GET /gateway/bot's `shards` (default 1). */
  readonly recommendedShards?: number
  /** session_start_limit.max_concurrency (default 16, so several shards identify without discord.js's 5 s wait). */
  readonly maxConcurrency?: number
  /** Dispatches kept per session for RESUME (default 20,000). */
  readonly resumeBufferLimit?: number
}

export interface RecordedRequest {
  readonly method: string
  /** The full path, URI-decoded, e.g. `/api/v10/guilds/1/members/2/roles/3`. */
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** The JSON body (payload_json of a multipart body), null when none. */
  readonly body: unknown
  readonly authorization: string | undefined
  /** X-Audit-Log-Reason, URI-decoded as Discord does. */
  readonly auditLogReason: string | undefined
  /** Date.now() when it arrived. */
  readonly at: number
}

export interface RefusalTarget {
  /** How many matching requests get the refusal (default 1). */
  readonly times?: number
  readonly method?: string
  /** Tested against the full path (`/api/v10/...`). */
  readonly path?: RegExp
}

export type OptionValue = string | number | boolean

export interface InteractOptions {
  readonly guildId: string
  readonly channelId: string
  readonly userId: string
  /** The top-level command name. */
  readonly name: string
  readonly subcommand?: string | readonly [group: string, subcommand: string]
  readonly options?: Readonly<Record<string, OptionValue>>
  /**
   * Option types by name (3 string, 4 integer, 5 boolean, 6 user, 7 channel, 8 role, 10 number);
   * inferred otherwise: string 3, integer 4, other number 10, boolean 5. User, channel and role
   * options must be declared here; their ids are resolved from the guild.
   */
  readonly optionTypes?: Readonly<Record<string, number>>
  /** The member's permissions as Discord sends them; computed from the guild's roles by default. */
  readonly memberPermissions?: bigint
  /** The bot's permissions in the channel; computed from the bot's roles by default. */
  readonly appPermissions?: bigint
  readonly locale?: string
  /** How long to wait for the bot's answer (default 5000 ms). */
  readonly timeoutMs?: number
}

export interface InteractionOutcome {
  readonly interactionId: string
  /** Acknowledged with type 5 (deferred) before the content arrived. */
  readonly deferred: boolean
  /** flags & 64 of the acknowledgement (fixed at defer time, as on Discord). */
  readonly ephemeral: boolean
  readonly content: string
  /** From the dispatch to the answer carrying content (or the reply). */
  readonly elapsedMs: number
  /** The callback type the bot acknowledged with (4, 5, ...). */
  readonly callbackType: number
}

export interface InteractionReply {
  readonly kind: "callback" | "edit_original" | "followup"
  readonly body: unknown
  readonly at: number
}

export interface ChannelMessage {
  readonly id: string
  readonly guildId: string
  readonly channelId: string
  readonly content: string
  readonly body: unknown
  readonly at: number
}

export interface StoredCommand {
  readonly id: string
  readonly name: string
  readonly type: number
  /** The command as the bot sent it. */
  readonly body: Readonly<Record<string, unknown>>
}

export interface FakeDiscord {
  /** For discord.js's `rest.api`: `http://127.0.0.1:PORT/api`. */
  readonly apiBase: string
  /** `ws://127.0.0.1:PORT`, as GET /gateway/bot answers. */
  readonly gatewayUrl: string
  readonly applicationId: string
  readonly botUserId: string
  /** Every REST request, in arrival order (interaction callbacks and webhooks included). */
  readonly requests: ReadonlyArray<RecordedRequest>
  readonly clearRequests: () => void
  /** `[shardId, shardCount]` of every IDENTIFY. */
  readonly identifies: ReadonlyArray<ShardTuple>
  /** Successful RESUMEs. */
  readonly resumes: number
  /** Gateway sockets opened. */
  readonly connections: number
  readonly sessions: () => ReadonlyArray<GatewaySessionInfo>

  /** Adds a guild the bot is in (GUILD_CREATE to its shard when connected). */
  readonly addGuild: (guild: FakeGuildInput) => void
  /** The bot left or was removed (GUILD_DELETE). */
  readonly removeGuild: (guildId: string) => void
  /** A member joins with `roleIds` (GUILD_MEMBER_ADD, needs the GuildMembers intent). */
  readonly addMember: (guildId: string, userId: string, roleIds?: ReadonlyArray<string>) => void
  /** A member leaves (GUILD_MEMBER_REMOVE). */
  readonly removeMember: (guildId: string, userId: string) => void
  /** Someone else changed the member's roles (GUILD_MEMBER_UPDATE). */
  readonly setMemberRoles: (guildId: string, userId: string, roleIds: ReadonlyArray<string>) => void
  /** A non-bot member posts (MESSAGE_CREATE, needs GuildMessages; content only with MessageContent). The message id. */
  readonly message: (guildId: string, channelId: string, userId: string, content?: string) => string
  /** A slash command: INTERACTION_CREATE to the guild's shard; resolves with the bot's answer. */
  readonly interact: (options: InteractOptions) => Promise<InteractionOutcome>
  /** Every callback, edit of @original and followup for the interaction. */
  readonly repliesTo: (interactionId: string) => ReadonlyArray<InteractionReply>

  readonly guild: (guildId: string) => FakeGuild | undefined
  /** The member's roles, undefined when not a member. */
  readonly rolesOf: (guildId: string, userId: string) => ReadonlyArray<string> | undefined
  /** Messages the bot posted in the channel. */
  readonly messagesIn: (channelId: string) => ReadonlyArray<ChannelMessage>
  /** The guild's commands after the last bulk overwrite. */
  readonly commandsOf: (guildId: string) => ReadonlyArray<StoredCommand>
  /** PUT requests that reached the guild-commands route (accepted or refused by Discord's rules). */
  readonly commandPuts: number

  /** The next matching request (or `times` of them) gets `refusal`. */
  readonly refuseNext: (refusal: DiscordRefusal, target?: RefusalTarget) => void
  /** Closes every gateway socket with `code` (4000 by default: discord.js resumes). */
  readonly dropConnections: (code?: number) => void
  /** Forgets every gateway session, so the next RESUME fails and the client identifies again. */
  readonly invalidateSessions: () => void
}

type Json = Record<string, unknown>

interface Answer {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

interface PendingInteraction {
  readonly id: string
  readonly token: string
  readonly guild: FakeGuild
  readonly channelId: string
  readonly dispatchedAt: number
  readonly replies: Array<InteractionReply>
  state: "pending" | "deferred" | "replied"
  ephemeral: boolean
  callbackType: number
  content: string
  settled: boolean
  originalMessageId: string | undefined
  readonly settle: (outcome: InteractionOutcome | Error) => void
}

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

const discordError = (status: number, code: number, message: string, extra: Json = {}): Answer => ({
  status,
  body: { message, code, ...extra }
})

const notFound = discordError(404, 0, "404: Not Found")
const ephemeralFlag = 64

const refusalAnswer = (refusal: DiscordRefusal): Answer => {
  switch (refusal.kind) {
    case "error":
      return discordError(refusal.status, refusal.code, refusal.message)
    case "rate_limited":
      return rateLimited(refusal.retryAfterSeconds, { message: "You are being rate limited." }, refusal.global ?? false)
    case "server_error":
      return { status: refusal.status, body: "<html><body>upstream connect error</body></html>" }
  }
}

const rateLimited = (retryAfterSeconds: number, body: Json, global = false): Answer => ({
  status: 429,
  body: { ...body, retry_after: retryAfterSeconds, global },
  headers: {
    "retry-after": String(Math.ceil(retryAfterSeconds)),
    "x-ratelimit-limit": "10",
    "x-ratelimit-remaining": "0",
    "x-ratelimit-reset": String(Date.now() / 1000 + retryAfterSeconds),
    "x-ratelimit-reset-after": String(retryAfterSeconds),
    "x-ratelimit-bucket": "fakebucket0000000000000000000000",
    "x-ratelimit-scope": global ? "global" : "user",
    ...(global ? { "x-ratelimit-global": "true" } : {})
  }
})

/** The JSON body, or a multipart body's payload_json part (discord.js sends files that way). */
const parseBody = (raw: Buffer, contentType: string | undefined): unknown => {
  if (raw.length === 0) return null
  const text = raw.toString("utf8")
  if (contentType?.startsWith("multipart/form-data")) {
    const payload = /name="payload_json"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/.exec(text)
    return payload === null ? null : JSON.parse(payload[1]!)
  }
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const secondsToUtcMidnight = (now: number) => {
  const midnight = new Date(now)
  midnight.setUTCHours(24, 0, 0, 0)
  return Math.ceil((midnight.getTime() - now) / 1000)
}

const utcDay = (now: number) => new Date(now).toISOString().slice(0, 10)

const inferOptionType = (value: OptionValue) =>
  typeof value === "boolean" ? 5 : typeof value === "number" ? (Number.isInteger(value) ? 4 : 10) : 3

const commandNamePattern = /^[-_\p{L}\p{N}]{1,32}$/u

/** Why Discord would reject this bulk overwrite as an invalid form body, if it would. */
const invalidCommands = (body: unknown): string | undefined => {
  if (!Array.isArray(body)) return "Expected an array of application commands"
  const seen = new Set<string>()
  for (const [index, command] of body.entries()) {
    if (!isObject(command)) return `${index}: expected an object`
    const type = command.type ?? 1
    const name = command.name
    if (typeof name !== "string" || !commandNamePattern.test(name)) return `${index}.name: invalid`
    if (type === 1 && name !== name.toLowerCase()) return `${index}.name: must be lowercase`
    if (type === 1 && (typeof command.description !== "string" || command.description.length > 100)) {
      return `${index}.description: a string of at most 100 characters is required`
    }
    if (seen.has(`${type}:${name}`)) return `${index}.name: application command names must be unique`
    seen.add(`${type}:${name}`)
  }
  return undefined
}

export const FakeDiscord = {
  /** Refusals for `refuseNext`, Discord's status, code and message. */
  errors: fakeDiscordErrors,
  /** A role with Discord's defaults. */
  role: (id: string, name: string, position: number, permissions = 0n, extra: Partial<FakeRole> = {}): FakeRole => ({
    id,
    name,
    position,
    permissions,
    ...extra
  }),
  textChannel: (id: string, name: string, parentId?: string): FakeChannel => ({
    id,
    name,
    type: channelTypes.text,
    ...(parentId === undefined ? {} : { parentId })
  }),
  category: (id: string, name: string): FakeChannel => ({ id, name, type: channelTypes.category }),
  thread: (id: string, name: string, parentId: string): FakeChannel => ({
    id,
    name,
    type: channelTypes.publicThread,
    parentId
  }),

  make: (options: FakeDiscordOptions): Effect.Effect<FakeDiscord, never, Scope.Scope> =>
    Effect.acquireRelease(
      Effect.async<{ readonly fake: FakeDiscord; readonly close: () => Promise<void> }>((resume) => {
        const applicationId = options.applicationId ?? "900000000000000001"
        const bot: FakeUser = makeUser(
          options.botUserId ?? "900000000000000002",
          options.botUsername ?? "Guildhall",
          true
        )
        const dailyCommandCreates = options.dailyCommandCreates ?? 200
        const deadlineMs = options.interactionDeadlineMs ?? 3_000

        let requests: Array<RecordedRequest> = []
        const guilds = new Map<string, FakeGuild>()
        const channelGuild = new Map<string, FakeGuild>()
        const refusals: Array<{ refusal: DiscordRefusal; remaining: number; target: RefusalTarget }> = []
        const messages = new Map<string, Array<ChannelMessage>>()
        const commands = new Map<string, Map<string, StoredCommand>>()
        const createsToday = new Map<string, { day: string; count: number }>()
        const interactions = new Map<string, PendingInteraction>()
        const interactionsByToken = new Map<string, PendingInteraction>()
        let commandPuts = 0
        let port = 0
        const gatewayUrl = () => `ws://127.0.0.1:${port}`

        const botMemberPermissions = (guild: FakeGuild) => memberPermissions(guild, bot.id)

        const gateway = new Gateway({
          token: options.token,
          heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
          resumeBufferLimit: options.resumeBufferLimit ?? 20_000,
          url: gatewayUrl,
          ready: (shard) => ({
            user: { ...userPayload(bot), verified: true, mfa_enabled: false, email: null },
            application: { id: applicationId, flags: 0 },
            guildIds: guildsOfShard(shard, (guild) => guild.id)
          }),
          guildCreates: (shard) => guildsOfShard(shard, (guild) => guildCreatePayload(guild, bot.id)),
          membersChunk: (request) => {
            const guild = guilds.get(String(request.guild_id))
            if (guild === undefined) return undefined
            const wanted = Array.isArray(request.user_ids)
              ? request.user_ids.map(String)
              : typeof request.user_ids === "string"
              ? [request.user_ids]
              : undefined
            const members = wanted === undefined
              ? Array.from(guild.members.values())
              : wanted.flatMap((id) => guild.members.get(id) ?? [])
            return {
              guild_id: guild.id,
              members: members.map(memberPayload),
              chunk_index: 0,
              chunk_count: 1,
              not_found: wanted?.filter((id) => !guild.members.has(id)) ?? [],
              ...(request.nonce === undefined ? {} : { nonce: request.nonce })
            }
          }
        })

        function* guildsOfShard<A>([shardId, shardCount]: ShardTuple, f: (guild: FakeGuild) => A): Iterable<A> {
          const count = BigInt(shardCount)
          const id = BigInt(shardId)
          for (const guild of guilds.values()) if (guild.shardKey % count === id) yield f(guild)
        }

        const requireGuild = (guildId: string) => {
          const guild = guilds.get(guildId)
          if (guild === undefined) throw new Error(`FakeDiscord: the bot is not in guild ${guildId}; addGuild it first`)
          return guild
        }

        const memberUpdate = (guild: FakeGuild, member: FakeMember) =>
          gateway.dispatch(
            guild.shardKey,
            "GUILD_MEMBER_UPDATE",
            guildMemberEventPayload(guild.id, member),
            gatewayIntents.guildMembers
          )

        // ---- REST ----------------------------------------------------------------------------------------------

        const routes: Array<
          readonly [
            method: string,
            pattern: RegExp,
            handler: (match: RegExpExecArray, request: RecordedRequest) => Answer
          ]
        > = [
          ["GET", /^\/gateway\/bot$/, () => ({
            status: 200,
            body: {
              url: gatewayUrl(),
              shards: options.recommendedShards ?? 1,
              session_start_limit: {
                total: 1000,
                remaining: 1000,
                reset_after: 86_400_000,
                max_concurrency: options.maxConcurrency ?? 16
              }
            }
          })],
          ["GET", /^\/gateway$/, () => ({ status: 200, body: { url: gatewayUrl() } })],
          ["GET", /^\/users\/@me$/, () => ({ status: 200, body: userPayload(bot) })],
          ["GET", /^\/applications\/@me$/, () => ({
            status: 200,
            body: {
              id: applicationId,
              name: bot.username,
              icon: null,
              description: "",
              bot_public: false,
              bot_require_code_grant: false,
              flags: 0,
              bot: userPayload(bot),
              owner: userPayload(makeUser("100000000000000000", "owner"))
            }
          })],
          ["PUT", /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/, ([, app, guildId], request) => {
            commandPuts++
            if (app !== applicationId || !guilds.has(guildId!)) return discordError(403, 50001, "Missing Access")
            const invalid = invalidCommands(request.body)
            if (invalid !== undefined) {
              return discordError(400, 50035, "Invalid Form Body", { errors: { _errors: [{ message: invalid }] } })
            }
            const body = request.body as ReadonlyArray<Json>
            if (body.filter((command) => (command.type ?? 1) === 1).length > 100) {
              return discordError(400, 30032, "Maximum number of application commands reached (100)")
            }
            const previous = commands.get(guildId!) ?? new Map<string, StoredCommand>()
            const key = (command: Json) => `${command.type ?? 1}:${String(command.name)}`
            const creates = body.filter((command) => !previous.has(key(command))).length
            const now = Date.now()
            const today = createsToday.get(guildId!)
            const used = today?.day === utcDay(now) ? today.count : 0
            if (creates > 0 && used + creates > dailyCommandCreates) {
              return rateLimited(secondsToUtcMidnight(now), {
                message: `Max number of daily application command creates has been reached (${dailyCommandCreates})`,
                code: 30034
              })
            }
            createsToday.set(guildId!, { day: utcDay(now), count: used + creates })
            const next = new Map<string, StoredCommand>()
            for (const command of body) {
              next.set(key(command), {
                id: previous.get(key(command))?.id ?? nextSnowflake(),
                name: String(command.name),
                type: Number(command.type ?? 1),
                body: command
              })
            }
            commands.set(guildId!, next)
            return { status: 200, body: commandList(guildId!) }
          }],
          ["GET", /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/, ([, app, guildId]) =>
            app !== applicationId || !guilds.has(guildId!)
              ? discordError(403, 50001, "Missing Access")
              : { status: 200, body: commandList(guildId!) }],
          ["POST", /^\/interactions\/(\d+)\/([^/]+)\/callback$/, ([, id, token], request) =>
            interactionCallback(id!, token!, request)],
          ["GET", /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, ([, app, token]) =>
            withInteraction(app!, token!, (interaction) =>
              interaction.originalMessageId === undefined
                ? discordError(404, 10008, "Unknown Message")
                : { status: 200, body: interactionMessage(interaction, interaction.originalMessageId) })],
          ["PATCH", /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, ([, app, token], request) =>
            withInteraction(app!, token!, (interaction) => {
              if (interaction.originalMessageId === undefined) {
                return discordError(404, 10008, "Unknown Message")
              }
              const content = isObject(request.body) && typeof request.body.content === "string"
                ? request.body.content
                : interaction.content
              interaction.content = content
              interaction.replies.push({ kind: "edit_original", body: request.body, at: request.at })
              answered(interaction)
              return { status: 200, body: interactionMessage(interaction, interaction.originalMessageId) }
            })],
          ["DELETE", /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, ([, app, token]) =>
            withInteraction(app!, token!, (interaction) => {
              if (interaction.originalMessageId === undefined) {
                return discordError(404, 10008, "Unknown Message")
              }
              interaction.originalMessageId = undefined
              return { status: 204 }
            })],
          ["POST", /^\/webhooks\/(\d+)\/([^/]+)$/, ([, app, token], request) =>
            withInteraction(app!, token!, (interaction) => {
              if (interaction.state === "pending") {
                return discordError(404, 10015, "Unknown Webhook")
              }
              const body = isObject(request.body) ? request.body : {}
              interaction.replies.push({ kind: "followup", body: request.body, at: request.at })
              if (!interaction.settled) {
                interaction.content = typeof body.content === "string" ? body.content : ""
                answered(interaction)
              }
              const flags = typeof body.flags === "number" ? body.flags : 0
              return {
                status: 200,
                body: messagePayload({
                  id: nextSnowflake(),
                  channelId: interaction.channelId,
                  guildId: interaction.guild.id,
                  author: bot,
                  content: typeof body.content === "string" ? body.content : "",
                  flags,
                  webhookId: applicationId,
                  applicationId
                })
              }
            })],
          ["POST", /^\/channels\/(\d+)\/messages$/, ([, channelId], request) => {
            const guild = channelGuild.get(channelId!)
            if (guild === undefined) {
              return discordError(404, 10003, "Unknown Channel")
            }
            const needed = discordPermissions.viewChannel | discordPermissions.sendMessages
            if ((botMemberPermissions(guild) & needed) !== needed) {
              return discordError(403, 50013, "Missing Permissions")
            }
            const body = isObject(request.body) ? request.body : {}
            const content = typeof body.content === "string" ? body.content : ""
            const id = nextSnowflake()
            const list = messages.get(channelId!) ?? []
            list.push({ id, guildId: guild.id, channelId: channelId!, content, body: request.body, at: request.at })
            messages.set(channelId!, list)
            const message = messagePayload({ id, channelId: channelId!, guildId: guild.id, author: bot, content })
            gateway.dispatch(guild.shardKey, "MESSAGE_CREATE", message, gatewayIntents.guildMessages)
            return { status: 200, body: message }
          }],
          ["GET", /^\/guilds\/(\d+)$/, ([, guildId]) =>
            withGuild(guildId!, (guild) => ({ status: 200, body: guildCreatePayload(guild, bot.id) }))],
          ["GET", /^\/guilds\/(\d+)\/roles$/, ([, guildId]) =>
            withGuild(guildId!, (guild) => ({ status: 200, body: Array.from(guild.roles.values(), rolePayload) }))],
          ["GET", /^\/guilds\/(\d+)\/channels$/, ([, guildId]) =>
            withGuild(guildId!, (guild) => ({
              status: 200,
              body: Array.from(guild.channels.values(), (channel) =>
                channelPayload(guild.id, channel))
            }))],
          ["GET", /^\/guilds\/(\d+)\/members$/, ([, guildId], request) =>
            withGuild(guildId!, (guild) => {
              const after = BigInt(request.query.after ?? "0")
              const limit = Math.min(Math.max(Number(request.query.limit ?? 1), 1), 1000)
              const members = Array.from(guild.members.values())
                .filter((member) =>
                  BigInt(member.user.id) > after
                )
                .sort((a, b) => (BigInt(a.user.id) < BigInt(b.user.id) ? -1 : 1))
                .slice(0, limit)
              return { status: 200, body: members.map(memberPayload) }
            })],
          ["GET", /^\/guilds\/(\d+)\/members\/(\d+)$/, ([, guildId, userId]) =>
            withGuild(guildId!, (guild) => {
              const member = guild.members.get(userId!)
              return member === undefined
                ? discordError(404, 10007, "Unknown Member")
                : { status: 200, body: memberPayload(member) }
            })],
          ["PUT", /^\/guilds\/(\d+)\/members\/(\d+)\/roles\/(\d+)$/, ([, guildId, userId, roleId]) =>
            changeRole(guildId!, userId!, roleId!, "add")],
          ["DELETE", /^\/guilds\/(\d+)\/members\/(\d+)\/roles\/(\d+)$/, ([, guildId, userId, roleId]) =>
            changeRole(guildId!, userId!, roleId!, "remove")]
        ]

        const commandList = (guildId: string) =>
          Array.from(commands.get(guildId)?.values() ?? [], (command) => ({
            default_member_permissions: null,
            nsfw: false,
            contexts: null,
            integration_types: [0],
            ...command.body,
            id: command.id,
            application_id: applicationId,
            guild_id: guildId,
            version: command.id,
            type: command.type
          }))

        const withGuild = (guildId: string, f: (guild: FakeGuild) => Answer): Answer => {
          const guild = guilds.get(guildId)
          return guild === undefined ? discordError(404, 10004, "Unknown Guild") : f(guild)
        }

        const changeRole = (guildId: string, userId: string, roleId: string, change: "add" | "remove"): Answer =>
          withGuild(guildId, (guild) => {
            const role = guild.roles.get(roleId)
            if (role === undefined) {
              return discordError(404, 10011, "Unknown Role")
            }
            const member = guild.members.get(userId)
            if (member === undefined) {
              return discordError(404, 10007, "Unknown Member")
            }
            const canManage = (botMemberPermissions(guild) & discordPermissions.manageRoles) !== 0n
            const belowBot = bot.id === guild.ownerId || role.position < highestPosition(guild, bot.id)
            if (!canManage || !belowBot || role.managed === true || role.id === guild.id) {
              return discordError(403, 50013, "Missing Permissions")
            }
            const had = member.roles.has(roleId)
            if (change === "add") {
              member.roles.add(roleId)
            } else member.roles.delete(roleId)
            if (had !== member.roles.has(roleId)) {
              memberUpdate(guild, member)
            }
            return { status: 204 }
          })

        // ---- interactions --------------------------------------------------------------------------------------

        const withInteraction = (app: string, token: string, f: (interaction: PendingInteraction) => Answer) => {
          const interaction = interactionsByToken.get(token)
          return interaction === undefined || app !== applicationId
            ? discordError(404, 10015, "Unknown Webhook")
            : f(interaction)
        }

        const interactionMessage = (interaction: PendingInteraction, id: string) =>
          messagePayload({
            id,
            channelId: interaction.channelId,
            guildId: interaction.guild.id,
            author: bot,
            content: interaction.content,
            flags: interaction.ephemeral ? ephemeralFlag : 0,
            webhookId: applicationId,
            applicationId
          })

        const answered = (interaction: PendingInteraction) => {
          if (interaction.settled) {
            return
          }
          interaction.settle({
            interactionId: interaction.id,
            deferred: interaction.state === "deferred",
            ephemeral: interaction.ephemeral,
            content: interaction.content,
            elapsedMs: Date.now() - interaction.dispatchedAt,
            callbackType: interaction.callbackType
          })
        }

        const interactionCallback = (id: string, token: string, request: RecordedRequest): Answer => {
          const interaction = interactions.get(id)
          if (interaction === undefined || interaction.token !== token) {
            return discordError(404, 10062, "Unknown interaction")
          }
          if (interaction.state !== "pending") {
            return discordError(400, 40060, "Interaction has already been acknowledged.")
          }
          const late = request.at - interaction.dispatchedAt
          if (late > deadlineMs) {
            interaction.settle(
              new Error(
                `FakeDiscord: interaction ${id} was acknowledged after ${late} ms (Discord allows ${deadlineMs})`
              )
            )
            return discordError(404, 10062, "Unknown interaction")
          }
          const body = isObject(request.body) ? request.body : {}
          const data = isObject(body.data) ? body.data : {}
          const type = Number(body.type)
          interaction.callbackType = type
          interaction.ephemeral = ((typeof data.flags === "number" ? data.flags : 0) & ephemeralFlag) !== 0
          interaction.replies.push({ kind: "callback", body: request.body, at: request.at })
          interaction.originalMessageId = nextSnowflake()
          if (type === 5) {
            interaction.state = "deferred"
          } else {
            interaction.state = "replied"
            interaction.content = typeof data.content === "string" ? data.content : ""
            answered(interaction)
          }
          if (request.query.with_response !== "true") {
            return { status: 204 }
          }
          return {
            status: 200,
            body: {
              interaction: {
                id,
                type: 2,
                activity_instance_id: null,
                response_message_id: interaction.originalMessageId,
                response_message_loading: type === 5,
                response_message_ephemeral: interaction.ephemeral
              },
              resource: type === 4
                ? { type, message: interactionMessage(interaction, interaction.originalMessageId) }
                : { type }
            }
          }
        }

        const interactionPayload = (options: InteractOptions, id: string, token: string) => {
          const guild = requireGuild(options.guildId)
          const channel = guild.channels.get(options.channelId)
          if (channel === undefined) {
            throw new Error(`FakeDiscord: guild ${guild.id} has no channel ${options.channelId}`)
          }
          const member: FakeMember = guild.members.get(options.userId) ??
            { user: makeUser(options.userId), roles: new Set(), joinedAt: guild.joinedAt }
          const resolved = { users: {} as Json, members: {} as Json, roles: {} as Json, channels: {} as Json }
          let resolvedAny = false
          const leaves = Object.entries(options.options ?? {}).map(([name, value]) => {
            const type = options.optionTypes?.[name] ?? inferOptionType(value)
            const id = String(value)
            if (type === 6) {
              const target = guild.members.get(id)
              resolved.users[id] = userPayload(target?.user ?? makeUser(id))
              if (target !== undefined) {
                const { user: _user, ...rest } = memberPayload(target)
                resolved.members[id] = { ...rest, permissions: String(memberPermissions(guild, id)) }
              }
              resolvedAny = true
            } else if (type === 8) {
              const role = guild.roles.get(id)
              if (role !== undefined) {
                resolved.roles[id] = rolePayload(role)
              }
              resolvedAny = true
            } else if (type === 7) {
              const target = guild.channels.get(id)
              if (target !== undefined) {
                resolved.channels[id] = {
                  ...channelPayload(guild.id, target),
                  permissions: String(memberPermissions(guild, options.userId))
                }
              }
              resolvedAny = true
            }
            return { name, type, value }
          })
          const subcommand = options.subcommand
          const commandOptions = subcommand === undefined
            ? leaves
            : typeof subcommand === "string"
            ? [{ name: subcommand, type: 1, options: leaves }]
            : [{ name: subcommand[0], type: 2, options: [{ name: subcommand[1], type: 1, options: leaves }] }]
          const permissions = options.memberPermissions ?? memberPermissions(guild, options.userId)
          const locale = options.locale ?? "en-US"
          return {
            guild,
            channel,
            payload: {
              id,
              application_id: applicationId,
              type: 2,
              token,
              version: 1,
              data: {
                id: commands.get(guild.id)?.get(`1:${options.name}`)?.id ?? nextSnowflake(),
                name: options.name,
                type: 1,
                guild_id: guild.id,
                ...(commandOptions.length === 0 ? {} : { options: commandOptions }),
                ...(resolvedAny ? { resolved } : {})
              },
              guild: { id: guild.id, locale, features: [] },
              guild_id: guild.id,
              channel: { ...channelPayload(guild.id, channel), permissions: String(permissions) },
              channel_id: channel.id,
              member: { ...memberPayload(member), permissions: String(permissions) },
              app_permissions: String(options.appPermissions ?? botMemberPermissions(guild)),
              locale,
              guild_locale: locale,
              entitlements: [],
              authorizing_integration_owners: { "0": guild.id },
              context: 0,
              attachment_size_limit: 10_485_760
            }
          }
        }

        // ---- the driver ----------------------------------------------------------------------------------------

        const fake: FakeDiscord = {
          get apiBase() {
            return `http://127.0.0.1:${port}/api`
          },
          get gatewayUrl() {
            return gatewayUrl()
          },
          applicationId,
          botUserId: bot.id,
          get requests() {
            return requests
          },
          clearRequests: () => {
            requests = []
          },
          get identifies() {
            return gateway.identifies
          },
          get resumes() {
            return gateway.resumes
          },
          get connections() {
            return gateway.connections
          },
          sessions: () =>
            gateway.sessionInfos(),
          addGuild: (input) => {
            const previous = guilds.get(input.id)
            for (const channelId of previous?.channels.keys() ?? []) {
              channelGuild.delete(channelId)
            }
            const guild = makeGuild(input, bot)
            guilds.set(guild.id, guild)
            for (const channelId of guild.channels.keys()) {
              channelGuild.set(channelId, guild)
            }
            // Built only when a session owns the shard: seeding thousands of guilds before login stays cheap.
            gateway.dispatch(guild.shardKey, "GUILD_CREATE", () =>
              guildCreatePayload(guild, bot.id))
          },
          removeGuild: (guildId) => {
            const guild = requireGuild(guildId)
            guilds.delete(guildId)
            commands.delete(guildId)
            for (const channelId of guild.channels.keys()) {
              channelGuild.delete(channelId)
            }
            gateway.dispatch(guild.shardKey, "GUILD_DELETE", { id: guildId })
          },
          addMember: (guildId, userId, roleIds = []) => {
            const guild = requireGuild(guildId)
            const member: FakeMember = {
              user: makeUser(userId),
              roles: new Set(roleIds),
              joinedAt: new Date().toISOString().replace("Z", "+00:00")
            }
            guild.members.set(userId, member)
            gateway.dispatch(
              guild.shardKey,
              "GUILD_MEMBER_ADD",
              guildMemberEventPayload(guild.id, member),
              gatewayIntents.guildMembers
            )
          },
          removeMember: (guildId, userId) => {
            const guild = requireGuild(guildId)
            const member = guild.members.get(userId)
            guild.members.delete(userId)
            gateway.dispatch(
              guild.shardKey,
              "GUILD_MEMBER_REMOVE",
              { guild_id: guild.id, user: userPayload(member?.user ?? makeUser(userId)) },
              gatewayIntents.guildMembers
            )
          },
          setMemberRoles: (guildId, userId, roleIds) => {
            const guild = requireGuild(guildId)
            const member = guild.members.get(userId)
            if (member === undefined) {
              throw new Error(`FakeDiscord: ${userId} is not a member of ${guildId}`)
            }
            member.roles.clear()
            for (const roleId of roleIds) {
              member.roles.add(roleId)
            }
            memberUpdate(guild, member)
          },
          message: (guildId, channelId, userId, content = "hello") => {
            const guild = requireGuild(guildId)
            if (!guild.channels.has(channelId)) {
              throw new Error(`FakeDiscord: guild ${guildId} has no channel ${channelId}`)
            }
            const member = guild.members.get(userId)
            const id = nextSnowflake()
            const message = messagePayload({
              id,
              channelId,
              guildId,
              author: member?.user ?? makeUser(userId),
              content
            })
            const withMember = member === undefined ? message : {
              ...message,
              member: (({ user: _user, ...rest }) =>
                rest)(memberPayload(member))
            }
            gateway.dispatch(
              guild.shardKey,
              "MESSAGE_CREATE",
              (intents: number) =>
                (intents & gatewayIntents.messageContent) === 0 ? { ...withMember, content: "" } : withMember,
              gatewayIntents.guildMessages
            )
            return id
          },
          interact: (options) => {
            const id = nextSnowflake()
            const token = `fake-interaction-token.${id}.${Math.random().toString(36).slice(2)}`
            let built: ReturnType<typeof interactionPayload>
            try {
              built = interactionPayload(options, id, token)
            } catch (error) {
              return Promise.reject(error)
            }
            if (!gateway.hasSessionFor(built.guild.shardKey)) {
              return Promise.reject(
                new Error(`FakeDiscord: no gateway session owns the shard of guild ${built.guild.id}`)
              )
            }
            const timeoutMs = options.timeoutMs ?? 5_000
            return new Promise<InteractionOutcome>((resolve, reject) => {
              const timer = setTimeout(() => {
                pending.settle(
                  new Error(`FakeDiscord: /${options.name} (interaction ${id}) got no answer within ${timeoutMs} ms`)
                )
              }, timeoutMs)
              const pending: PendingInteraction = {
                id,
                token,
                guild: built.guild,
                channelId: built.channel.id,
                dispatchedAt: Date.now(),
                replies: [],
                state: "pending",
                ephemeral: false,
                callbackType: 0,
                content: "",
                settled: false,
                originalMessageId: undefined,
                settle: (outcome) => {
                  if (pending.settled) {
                    return
                  }
                  pending.settled = true
                  clearTimeout(timer)
                  if (outcome instanceof Error) {
                    reject(outcome)
                  } else resolve(outcome)
                }
              }
              interactions.set(id, pending)
              interactionsByToken.set(token, pending)
              gateway.dispatch(built.guild.shardKey, "INTERACTION_CREATE", built.payload)
            })
          },
          repliesTo: (interactionId) =>
            interactions.get(interactionId)?.replies ?? [],
          guild: (guildId) =>
            guilds.get(guildId),
          rolesOf: (guildId, userId) => {
            const roles = guilds.get(guildId)?.members.get(userId)?.roles
            return roles === undefined ? undefined : Array.from(roles)
          },
          messagesIn: (channelId) =>
            messages.get(channelId) ?? [],
          commandsOf: (guildId) =>
            Array.from(commands.get(guildId)?.values() ?? []),
          get commandPuts() {
            return commandPuts
          },
          refuseNext: (refusal, target = {}) => {
            refusals.push({ refusal, remaining: target.times ?? 1, target })
          },
          dropConnections: (code = 4000) =>
            gateway.drop(code),
          invalidateSessions: () =>
            gateway.invalidateSessions()
        }

        // ---- the server ----------------------------------------------------------------------------------------

        const takeRefusal = (request: RecordedRequest) => {
          const index = refusals.findIndex(({ target }) =>
            (target.method === undefined || target.method.toUpperCase() === request.method) &&
            (target.path === undefined || target.path.test(request.path))
          )
          if (index === -1) {
            return undefined
          }
          const entry = refusals[index]!
          if (--entry.remaining <= 0) {
            refusals.splice(index, 1)
          }
          return entry.refusal
        }

        /** discord.js sends interaction callbacks and interaction webhooks without the bot token, as Discord allows. */
        const tokenFree = /^\/(interactions|webhooks)\//

        const answer = (request: RecordedRequest): Answer => {
          if (!request.path.startsWith("/api/v10/")) {
            return notFound
          }
          const route = request.path.slice("/api/v10".length)
          if (!tokenFree.test(route) && request.authorization !== `Bot ${options.token}`) {
            return discordError(401, 0, "401: Unauthorized")
          }
          const refusal = takeRefusal(request)
          if (refusal !== undefined) {
            return refusalAnswer(refusal)
          }
          for (const [method, pattern, handler] of routes) {
            if (method !== request.method) {
              continue
            }
            const match = pattern.exec(route)
            if (match !== null) {
              return handler(match, request)
            }
          }
          return notFound
        }

        const respond = (response: ServerResponse, result: Answer) => {
          if (result.body === undefined) {
            response.writeHead(result.status, result.headers)
            return response.end()
          }
          const html = typeof result.body === "string"
          response.writeHead(result.status, {
            "content-type": html ? "text/html" : "application/json",
            ...result.headers
          })
          response.end(html ? result.body : JSON.stringify(result.body))
        }

        const record = (request: IncomingMessage, raw: Buffer): RecordedRequest => {
          const url = new URL(request.url ?? "/", "http://fake")
          const reason = request.headers["x-audit-log-reason"]
          let body: unknown
          try {
            body = parseBody(raw, request.headers["content-type"])
          } catch {
            body = raw.toString("utf8")
          }
          return {
            method: request.method ?? "",
            // discord.js encodes `@original` as `%40original`.
            path: decodeURIComponent(url.pathname),
            query: Object.fromEntries(url.searchParams),
            body,
            authorization: request.headers.authorization,
            auditLogReason: typeof reason === "string" ? decodeURIComponent(reason) : undefined,
            at: Date.now()
          }
        }

        const server = createServer((request, response) => {
          const chunks: Array<Buffer> = []
          request.on("data", (chunk: Buffer) =>
            chunks.push(chunk))
          request.on("end", () => {
            const recorded = record(request, Buffer.concat(chunks))
            requests.push(recorded)
            respond(response, answer(recorded))
          })
        })
        const sockets = new WebSocketServer({ noServer: true })
        server.on("upgrade", (request, socket, head) => {
          sockets.handleUpgrade(request, socket, head, (webSocket) =>
            gateway.accept(webSocket, new URL(request.url ?? "/", "http://fake")))
        })

        server.listen(0, "127.0.0.1", () => {
          port = (server.address() as AddressInfo).port
          resume(Effect.succeed({
            fake,
            close: () =>
              new Promise<void>((resolve) => {
                for (const interaction of interactions.values()) {
                  if (!interaction.settled) {
                    interaction.settle(new Error("FakeDiscord closed"))
                  }
                }
                gateway.terminate()
                sockets.close()
                server.closeAllConnections()
                server.close(() =>
                  resolve()
                )
              })
          }))
        })
      }),
      (started) =>
        Effect.promise(started.close)
    ).pipe(Effect.map((started) =>
      started.fake
    ))
}
