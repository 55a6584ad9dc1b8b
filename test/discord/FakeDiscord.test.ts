import { assert, describe, it } from "@effect/vitest"
import {
  ChannelType,
  type ChatInputCommandInteraction,
  Client,
  type DiscordAPIError,
  Events,
  GatewayIntentBits,
  type GuildMember,
  type Message,
  MessageFlags,
  type TextChannel
} from "discord.js"
import { Effect } from "effect"
import { once } from "node:events"
import { constants as zlibConstants, createInflate } from "node:zlib"
import { WebSocket } from "ws"
import { discordPermissions, FakeDiscord, type FakeDiscordOptions } from "../support/fakes/FakeDiscord.js"

const token = "fake-bot-token.gateway.test"
const botUserId = "900000000000000002"
const ownerId = "300000000000000001"
const memberId = "300000000000000002"

/** A guild id whose shard, among `count`, is `shard` (Discord routes by `(id >> 22) % count`). */
let guildSerial = 1_000_000_000n
const guildIdOnShard = (shard: number, count = 2) => {
  while (Number(guildSerial % BigInt(count)) !== shard) guildSerial++
  return String(guildSerial++ << 22n)
}

const ids = (guildId: string) => ({
  guildId,
  botRole: `${guildId.slice(0, -2)}11`,
  paidRole: `${guildId.slice(0, -2)}12`,
  adminRole: `${guildId.slice(0, -2)}13`,
  category: `${guildId.slice(0, -2)}21`,
  general: `${guildId.slice(0, -2)}22`,
  thread: `${guildId.slice(0, -2)}23`
})

/** A guild where the bot's role (position 2, Manage Roles) sits between the paid role (1) and an admin role (3). */
const addTestGuild = (fake: FakeDiscord, guildId: string) => {
  const guild = ids(guildId)
  fake.addGuild({
    id: guildId,
    name: `Guild ${guildId}`,
    ownerId,
    roles: [
      FakeDiscord.role(guild.paidRole, "Supporter", 1),
      FakeDiscord.role(guild.botRole, "Guildhall", 2, discordPermissions.manageRoles, { managed: true }),
      FakeDiscord.role(guild.adminRole, "Admins", 3, discordPermissions.administrator)
    ],
    channels: [
      FakeDiscord.category(guild.category, "Community"),
      FakeDiscord.textChannel(guild.general, "general", guild.category),
      FakeDiscord.thread(guild.thread, "questions", guild.general)
    ],
    botRoleIds: [guild.botRole],
    members: [{ id: memberId, roleIds: [] }]
  })
  return guild
}

const startFake = (options: Partial<FakeDiscordOptions> = {}) => FakeDiscord.make({ token, botUserId, ...options })

/** An unmodified discord.js Client logged in to the fake, destroyed when the scope closes. */
const loggedIn = (
  fake: FakeDiscord,
  options: { readonly shards?: ReadonlyArray<number>; readonly shardCount?: number } = {}
) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const client = new Client({
        intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildMessages],
        rest: { api: fake.apiBase, rejectOnRateLimit: () => true },
        ...(options.shards === undefined ? {} : { shards: [...options.shards], shardCount: options.shardCount ?? 1 })
      })
      const ready = once(client, Events.ClientReady)
      await client.login(token)
      await ready
      return client
    }),
    (client) => Effect.promise(() => client.destroy())
  )

/** Answers every slash command with `answer`. */
const onCommand = (client: Client, answer: (interaction: ChatInputCommandInteraction) => Promise<unknown>) =>
  client.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) void answer(interaction).catch(() => undefined)
  })

/** Starts listening now (the fake may dispatch before the test yields); yields the event's arguments. */
const next = <A>(client: Client, event: string) => {
  const emitted = once(client, event) as Promise<Array<A>>
  return Effect.promise(() => emitted)
}

describe("FakeDiscord with an unmodified discord.js 14 client", () => {
  it.scopedLive("logs in through GET /gateway/bot and caches the guild's roles, channels, thread and the bot's member", () =>
    Effect.gen(function*() {
      const fake = yield* startFake()
      const guild = addTestGuild(fake, guildIdOnShard(0, 1))
      const client = yield* loggedIn(fake)
      assert.strictEqual(client.user?.id, botUserId)
      assert.strictEqual(client.application?.id, fake.applicationId)
      const cached = client.guilds.cache.get(guild.guildId)
      assert.isDefined(cached)
      assert.strictEqual(cached!.ownerId, ownerId)
      assert.deepStrictEqual(
        cached!.roles.cache.sort((a, b) => a.position - b.position).map((role) => role.name),
        ["@everyone", "Supporter", "Guildhall", "Admins"]
      )
      assert.isTrue(cached!.roles.cache.get(guild.botRole)!.permissions.has("ManageRoles"))
      assert.strictEqual(cached!.channels.cache.get(guild.general)?.parentId, guild.category)
      assert.isTrue(cached!.channels.cache.get(guild.thread)?.isThread())
      assert.strictEqual(cached!.members.me?.roles.highest.id, guild.botRole)
      assert.deepStrictEqual(fake.identifies, [[0, 1]])
      const gatewayRequest = fake.requests.find(({ path }) => path === "/api/v10/gateway/bot")
      assert.strictEqual(gatewayRequest?.authorization, `Bot ${token}`)
    }))

  it.scopedLive("dispatches member joins, leaves and messages (content only with the MessageContent intent)", () =>
    Effect.gen(function*() {
      const fake = yield* startFake()
      const guild = addTestGuild(fake, guildIdOnShard(0, 1))
      const client = yield* loggedIn(fake)
      const joined = next<GuildMember>(client, Events.GuildMemberAdd)
      fake.addMember(guild.guildId, "300000000000000099", [guild.paidRole])
      const [member] = yield* joined
      assert.strictEqual(member!.id, "300000000000000099")
      assert.isTrue(member!.roles.cache.has(guild.paidRole))
      assert.deepStrictEqual(fake.rolesOf(guild.guildId, "300000000000000099"), [guild.paidRole])

      const left = next<GuildMember>(client, Events.GuildMemberRemove)
      fake.removeMember(guild.guildId, "300000000000000099")
      assert.strictEqual((yield* left)[0]!.id, "300000000000000099")
      assert.isUndefined(fake.rolesOf(guild.guildId, "300000000000000099"))

      const posted = next<Message>(client, Events.MessageCreate)
      const messageId = fake.message(guild.guildId, guild.general, memberId, "hello there")
      const [message] = yield* posted
      assert.deepStrictEqual(
        [message!.id, message!.author.id, message!.author.bot, message!.content],
        [messageId, memberId, false, ""]
      )
    }))

  it.scopedLive("a reply with the ephemeral flag arrives as an ephemeral, non-deferred outcome", () =>
    Effect.gen(function*() {
      const fake = yield* startFake()
      const guild = addTestGuild(fake, guildIdOnShard(0, 1))
      const client = yield* loggedIn(fake)
      const seen: Array<unknown> = []
      onCommand(client, (interaction) => {
        seen.push([
          interaction.commandName,
          interaction.options.getSubcommandGroup(false),
          interaction.options.getSubcommand(false),
          interaction.options.getUser("user")?.id,
          interaction.options.getRole("role")?.id,
          interaction.options.getInteger("amount"),
          interaction.channel?.isThread(),
          interaction.memberPermissions?.has("Administrator"),
          interaction.appPermissions.has("ManageRoles")
        ])
        return interaction.reply({ content: "Granted.", flags: MessageFlags.Ephemeral })
      })
      const outcome = yield* Effect.promise(() =>
        fake.interact({
          guildId: guild.guildId,
          channelId: guild.thread,
          userId: memberId,
          name: "permissions",
          subcommand: ["role", "allow"],
          options: { user: memberId, role: guild.paidRole, amount: 3 },
          optionTypes: { user: 6, role: 8 }
        })
      )
      assert.deepStrictEqual(
        [outcome.deferred, outcome.ephemeral, outcome.content, outcome.callbackType],
        [false, true, "Granted.", 4]
      )
      assert.isBelow(outcome.elapsedMs, 3_000)
      assert.deepStrictEqual(seen, [["permissions", "role", "allow", memberId, guild.paidRole, 3, true, false, true]])
      assert.deepStrictEqual(fake.repliesTo(outcome.interactionId).map(({ kind }) => kind), ["callback"])
    }))

  it.scopedLive("deferReply then editReply arrives as deferred with the edited content; a second ack is refused", () =>
    Effect.gen(function*() {
      const fake = yield* startFake()
      const guild = addTestGuild(fake, guildIdOnShard(0, 1))
      const client = yield* loggedIn(fake)
      const secondAck: Array<unknown> = []
      onCommand(client, async (interaction) => {
        await interaction.deferReply()
        await interaction.editReply({ content: "Your rank: 3" })
        await client.rest.post(`/interactions/${interaction.id}/${interaction.token}/callback`, {
          body: { type: 4, data: { content: "again" } },
          auth: false
        }).catch((error) => secondAck.push((error as DiscordAPIError).code))
      })
      const outcome = yield* Effect.promise(() =>
        fake.interact({ guildId: guild.guildId, channelId: guild.general, userId: memberId, name: "rank" })
      )
      assert.deepStrictEqual([outcome.deferred, outcome.ephemeral, outcome.content], [true, false, "Your rank: 3"])
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
      assert.deepStrictEqual(secondAck, [40060])
    }))

  it.scopedLive("an interaction acknowledged after the deadline gets 10062 and the outcome rejects", () =>
    Effect.gen(function*() {
      const fake = yield* startFake({ interactionDeadlineMs: 100 })
      const guild = addTestGuild(fake, guildIdOnShard(0, 1))
      const client = yield* loggedIn(fake)
      const codes: Array<unknown> = []
      onCommand(client, async (interaction) => {
        await new Promise((resolve) => setTimeout(resolve, 250))
        await interaction.reply("late").catch((error) => codes.push((error as DiscordAPIError).code))
      })
      const error = yield* Effect.flip(
        Effect.tryPromise(() =>
          fake.interact({ guildId: guild.guildId, channelId: guild.general, userId: memberId, name: "rank" })
        )
      )
      assert.match(String(error.cause), /acknowledged after/)
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
      assert.deepStrictEqual(codes, [10062])
      const unanswered = yield* Effect.flip(
        Effect.tryPromise(() =>
          fake.interact({
            guildId: guild.guildId,
            channelId: guild.general,
            userId: memberId,
            name: "x",
            timeoutMs: 50
          })
        )
      )
      assert.match(String(unanswered.cause), /no answer within 50 ms/)
    }))

  it.scopedLive("after dropConnections the client resumes and still receives later dispatches", () =>
    Effect.gen(function*() {
      const fake = yield* startFake()
      const guild = addTestGuild(fake, guildIdOnShard(0, 1))
      const client = yield* loggedIn(fake)
      const resumed = next(client, Events.ShardResume)
      fake.dropConnections()
      // A dispatch while disconnected is replayed on RESUME.
      const joined = next<GuildMember>(client, Events.GuildMemberAdd)
      fake.addMember(guild.guildId, "300000000000000077")
      yield* resumed
      assert.strictEqual((yield* joined)[0]!.id, "300000000000000077")
      assert.strictEqual(fake.resumes, 1)
      assert.strictEqual(fake.identifies.length, 1)
      const later = next<GuildMember>(client, Events.GuildMemberAdd)
      fake.addMember(guild.guildId, "300000000000000078")
      assert.strictEqual((yield* later)[0]!.id, "300000000000000078")
    }))

  it.scopedLive("two clients on shards 0/2 and 1/2 each receive only their shard's guilds and dispatches", () =>
    Effect.gen(function*() {
      const fake = yield* startFake()
      const even = addTestGuild(fake, guildIdOnShard(0))
      const odd = addTestGuild(fake, guildIdOnShard(1))
      const shard0 = yield* loggedIn(fake, { shards: [0], shardCount: 2 })
      const shard1 = yield* loggedIn(fake, { shards: [1], shardCount: 2 })
      assert.deepStrictEqual([...shard0.guilds.cache.keys()], [even.guildId])
      assert.deepStrictEqual([...shard1.guilds.cache.keys()], [odd.guildId])
      assert.sameDeepMembers([...fake.identifies], [[0, 2], [1, 2]])
      const added = addTestGuild(fake, guildIdOnShard(1))
      const created = yield* next<{ id: string }>(shard1, Events.GuildCreate)
      assert.strictEqual(created[0]!.id, added.guildId)
      assert.isFalse(shard0.guilds.cache.has(added.guildId))
    }))

  it.scopedLive("role grants follow Discord's hierarchy: below the bot's role 204, at or above it 50013", () =>
    Effect.gen(function*() {
      const fake = yield* startFake()
      const guild = addTestGuild(fake, guildIdOnShard(0, 1))
      const client = yield* loggedIn(fake)
      const member = yield* Effect.promise(() => client.guilds.cache.get(guild.guildId)!.members.fetch(memberId))
      const updated = next(client, Events.GuildMemberUpdate)
      yield* Effect.promise(() => member.roles.add(guild.paidRole, "Paid role"))
      yield* updated
      assert.deepStrictEqual(fake.rolesOf(guild.guildId, memberId), [guild.paidRole])
      const put = fake.requests.find(({ method }) => method === "PUT")
      assert.strictEqual(put?.path, `/api/v10/guilds/${guild.guildId}/members/${memberId}/roles/${guild.paidRole}`)
      assert.strictEqual(put?.auditLogReason, "Paid role")
      for (const role of [guild.adminRole, guild.botRole]) {
        const error = yield* Effect.flip(Effect.tryPromise(() => member.roles.add(role)))
        assert.strictEqual((error.cause as DiscordAPIError).code, 50013)
      }
      assert.deepStrictEqual(fake.rolesOf(guild.guildId, memberId), [guild.paidRole])
    }))

  it.scopedLive("guild command overwrites keep ids, count creates per day, and answer 30034 past the limit", () =>
    Effect.gen(function*() {
      const fake = yield* startFake({ dailyCommandCreates: 3 })
      const guild = addTestGuild(fake, guildIdOnShard(0, 1))
      const client = yield* loggedIn(fake)
      const commands = (...names: Array<string>) => names.map((name) => ({ name, description: `The ${name} command` }))
      const first = yield* Effect.promise(() => client.application!.commands.set(commands("rank", "xp"), guild.guildId))
      const again = yield* Effect.promise(() =>
        client.application!.commands.set(commands("rank", "xp", "setup"), guild.guildId)
      )
      assert.strictEqual(again.find((command) => command.name === "rank")?.id, first.find((c) => c.name === "rank")?.id)
      assert.deepStrictEqual(fake.commandsOf(guild.guildId).map(({ name }) => name), ["rank", "xp", "setup"])
      const error = yield* Effect.flip(
        Effect.tryPromise(() =>
          client.rest.put(`/applications/${fake.applicationId}/guilds/${guild.guildId}/commands`, {
            body: commands("rank", "paid")
          })
        )
      )
      assert.strictEqual(fake.commandPuts, 3)
      const refused = fake.requests.at(-1)!
      assert.strictEqual(refused.method, "PUT")
      assert.instanceOf(error.cause, Error)
      assert.deepStrictEqual(fake.commandsOf(guild.guildId).map(({ name }) => name), ["rank", "xp", "setup"])
      const invalid = yield* Effect.flip(
        Effect.tryPromise(() =>
          client.rest.put(`/applications/${fake.applicationId}/guilds/${guild.guildId}/commands`, { body: {} })
        )
      )
      assert.strictEqual((invalid.cause as DiscordAPIError).code, 50035)
    }))

  it.scopedLive("the 30034 answer carries Discord's body and a retry-after up to the next UTC midnight", () =>
    Effect.gen(function*() {
      const fake = yield* startFake({ dailyCommandCreates: 1 })
      const guild = addTestGuild(fake, guildIdOnShard(0, 1))
      const put = (names: Array<string>) =>
        Effect.promise(() =>
          fetch(`${fake.apiBase}/v10/applications/${fake.applicationId}/guilds/${guild.guildId}/commands`, {
            method: "PUT",
            headers: { authorization: `Bot ${token}`, "content-type": "application/json" },
            body: JSON.stringify(names.map((name) => ({ name, description: name })))
          })
        )
      assert.strictEqual((yield* put(["rank"])).status, 200)
      assert.strictEqual((yield* put(["rank"])).status, 200) // unchanged names create nothing
      const refused = yield* put(["rank", "xp"])
      const body = (yield* Effect.promise(() => refused.json())) as Record<string, unknown>
      assert.strictEqual(refused.status, 429)
      assert.deepStrictEqual([body.code, body.global], [30034, false])
      assert.match(String(body.message), /daily application command creates/)
      const retryAfter = Number(refused.headers.get("retry-after"))
      assert.isAbove(retryAfter, 0)
      assert.isAtMost(retryAfter, 86_400)
      assert.strictEqual(body.retry_after, retryAfter)
    }))

  it.scopedLive("REST needs the bot token, records requests, posts channel messages, and obeys refuseNext", () =>
    Effect.gen(function*() {
      const fake = yield* startFake()
      const guild = addTestGuild(fake, guildIdOnShard(0, 1))
      const client = yield* loggedIn(fake)
      const get = (path: string, authorization?: string) =>
        Effect.promise(() =>
          fetch(`${fake.apiBase}/v10${path}`, authorization === undefined ? {} : { headers: { authorization } })
        )
      assert.strictEqual((yield* get("/users/@me")).status, 401)
      assert.strictEqual((yield* get("/users/@me", `Bot ${token}`)).status, 200)
      assert.strictEqual((yield* get("/nothing/here", `Bot ${token}`)).status, 404)

      const channel = client.channels.cache.get(guild.general) as TextChannel
      assert.strictEqual(channel.type, ChannelType.GuildText)
      const sent = yield* Effect.promise(() => channel.send("Level up!"))
      assert.deepStrictEqual(fake.messagesIn(guild.general).map(({ id, content }) => [id, content]), [
        [sent.id, "Level up!"]
      ])
      const unknown = yield* Effect.flip(
        Effect.tryPromise(() => client.rest.post("/channels/123456789012345678/messages", { body: { content: "x" } }))
      )
      assert.strictEqual((unknown.cause as DiscordAPIError).code, 10003)

      fake.refuseNext(FakeDiscord.errors.missingAccess, { method: "POST", path: /\/messages$/ })
      const refused = yield* Effect.flip(Effect.tryPromise(() => channel.send("refused")))
      assert.strictEqual((refused.cause as DiscordAPIError).code, 50001)
      yield* Effect.promise(() => channel.send("accepted"))
      assert.deepStrictEqual(fake.messagesIn(guild.general).map(({ content }) => content), ["Level up!", "accepted"])
      fake.clearRequests()
      assert.strictEqual(fake.requests.length, 0)
    }))

  it.scopedLive("compress=zlib-stream frames are one zlib stream flushed per payload (what discord.js asks with zlib-sync)", () =>
    Effect.gen(function*() {
      const fake = yield* startFake({ heartbeatIntervalMs: 1234 })
      const payloads = yield* Effect.promise(() =>
        new Promise<Array<{ op: number; d: unknown }>>((resolve, reject) => {
          const socket = new WebSocket(`${fake.gatewayUrl}?v=10&encoding=json&compress=zlib-stream`)
          const inflate = createInflate()
          const received: Array<{ op: number; d: unknown }> = []
          inflate.on("data", (chunk: Buffer) => {
            received.push(JSON.parse(chunk.toString("utf8")))
            if (received.length === 1) socket.send(JSON.stringify({ op: 1, d: null }))
            if (received.length === 2) {
              socket.close(1000)
              resolve(received)
            }
          })
          socket.on("message", (data: Buffer) => inflate.write(data, () => inflate.flush(zlibConstants.Z_SYNC_FLUSH)))
          socket.on("error", reject)
        })
      )
      assert.deepStrictEqual(payloads.map(({ op }) => op), [10, 11])
      assert.deepStrictEqual(payloads[0]!.d, { heartbeat_interval: 1234 })
    }))
})
