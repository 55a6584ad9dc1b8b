import {
  type ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Guild,
  type GuildMember,
  type Interaction,
  type Message,
  MessageFlags,
  Options,
  type PartialGuildMember,
  Partials,
  PermissionFlagsBits
} from "discord.js"
import { Deferred, Duration, Effect, Exit, Fiber, FiberSet, Option, Redacted, Scope } from "effect"
import {
  ApplicationId,
  BackgroundComponents,
  ChannelId,
  CommandSync,
  type ComponentHandle,
  GuildId,
  GuildInstalls,
  type GuildRoleView,
  Interactions,
  MemberEvents,
  PolicyCache,
  type Reply,
  RoleId,
  type TenantId,
  UserId
} from "../../core/index.js"
import { DiscordClients, makeRest } from "./DiscordClients.js"
import type { ShardSettings } from "./GatewaySettings.js"
import { incomingCommand } from "./incomingCommand.js"

/** One bot identity to connect to the gateway. */
export interface BotIdentity {
  readonly token: Redacted.Redacted<string>
  /** Another API base (a local fake in tests); undefined: Discord. */
  readonly apiBase?: string | undefined
  /** Which shards this process runs; None: all. */
  readonly shards: Option.Option<ShardSettings>
  /** The tenant whose own white-label bot this is; null for the platform bot. */
  readonly owner: TenantId | null
}

export interface RunningBot {
  /** Completes when the gateway is ready and every guild is rehydrated and its commands synced. */
  readonly ready: Deferred.Deferred<void>
  readonly client: Client
}

/** Discord wants an answer within 3 s: a handler still running after this is deferred, then edited. */
export const deferAfter = Duration.seconds(1)
/** How long shutdown waits for in-flight interactions and events before closing the gateway. */
export const drainTimeout = Duration.seconds(10)

const label = (identity: BotIdentity) => (identity.owner === null ? "discord" : `discord[${identity.owner}]`)

/** Calls discord.js; a failure (the interaction expired: 10062, or was answered: 40060) is logged, never thrown. */
const discordCall = (what: string, call: () => Promise<unknown>) =>
  Effect.tryPromise(call).pipe(
    Effect.asVoid,
    Effect.catchAll((error) =>
      Effect.logWarning(`discord: ${what} failed`, {
        code: error.error instanceof DiscordAPIError ? error.error.code : null,
        message: error.error instanceof Error ? error.error.message : String(error.error)
      })
    )
  )

/** The guild's roles and the bot's place among them, from the cache (kept current by GUILD_ROLE_* events). */
const roleViewOf = (guild: Guild | undefined): GuildRoleView | undefined => {
  const me = guild?.members.me
  if (guild === undefined || me === null || me === undefined) return undefined
  return {
    roles: guild.roles.cache.map((role) => ({
      id: RoleId.make(role.id),
      name: role.name,
      position: role.position,
      managed: role.managed
    })),
    botPosition: me.roles.highest.position,
    botCanManageRoles: me.permissions.has(PermissionFlagsBits.ManageRoles)
  }
}

const flagsOf = (ephemeral: boolean) => (ephemeral ? MessageFlags.Ephemeral : undefined)

/**
 * Answers a slash command: the core's answer goes out at once when it comes
 * within `deferAfter`; otherwise the reply is deferred (ephemeral when the
 * handler's answers are) and edited when the handler is done. An answer of
 * the other visibility than the deferral becomes an ephemeral follow-up.
 */
const answer = (interaction: ChatInputCommandInteraction) =>
  Effect.gen(function*() {
    const interactions = yield* Interactions
    const incoming = incomingCommand(interaction)
    if (incoming === null) {
      return yield* discordCall("reply", () =>
        interaction.reply({ content: "Commands work inside a server.", flags: MessageFlags.Ephemeral }))
    }
    const running = yield* Effect.fork(interactions.run(incoming))
    const early = yield* Effect.timeoutOption(Fiber.await(running), deferAfter)
    if (Option.isSome(early)) {
      if (Exit.isFailure(early.value)) {
        return yield* Effect.logError("interaction failed", early.value.cause)
      }
      const reply = early.value.value
      return yield* discordCall("reply", () =>
        interaction.reply({ content: reply.content, flags: flagsOf(reply.ephemeral), allowedMentions: { parse: [] } }))
    }
    const ephemeral = interactions.handlerFor(incoming.context.commandPath)?.ephemeral ?? true
    yield* discordCall("defer", () =>
      interaction.deferReply({ flags: flagsOf(ephemeral) }))
    const reply: Reply = yield* Fiber.join(running)
    if (reply.ephemeral && !ephemeral) {
      yield* discordCall("delete deferred reply", () =>
        interaction.deleteReply())
      return yield* discordCall("follow-up", () =>
        interaction.followUp({ content: reply.content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } }))
    }
    yield* discordCall("edit reply", () =>
      interaction.editReply({ content: reply.content, allowedMentions: { parse: [] } }))
  }).pipe(Effect.withSpan("DiscordBot.answer"))

/**
 * Connects one bot to the gateway for the scope's lifetime (a discord.js
 * Client: intents Guilds, GuildMembers, GuildMessages) and feeds its events
 * into the core: guilds into installs and command sync, members into paid
 * roles and features, slash commands through the guardrail. On ready it
 * rehydrates every guild's policy snapshot and syncs commands (only changed
 * sets are PUT). Closing the scope stops taking events, waits for in-flight
 * work (up to `drainTimeout`), then closes the gateway.
 */
export const runDiscordBot = (identity: BotIdentity): Effect.Effect<
  RunningBot,
  never,
  Scope.Scope | Interactions | MemberEvents | GuildInstalls | CommandSync | PolicyCache | DiscordClients
> =>
  Effect.gen(function*() {
    const log = label(identity)
    const installs = yield* GuildInstalls
    const commands = yield* CommandSync
    const cache = yield* PolicyCache
    const members = yield* MemberEvents
    const clients = yield* DiscordClients
    const ready = yield* Deferred.make<void>()
    const scope = yield* Effect.scope
    const inFlight = yield* FiberSet.make()
    const run = yield* FiberSet.runtime(inFlight)<
      Interactions | MemberEvents | GuildInstalls | CommandSync | PolicyCache
    >()
    // The gateway as a readiness component (ADR 095): up once ready, degraded while a shard is disconnected,
    // down if Discord invalidates the session (the client gives up). It leaves the registry with the bot.
    const registry = yield* Effect.serviceOption(BackgroundComponents)
    const component = Option.isSome(registry)
      ? Option.some(
        yield* Effect.acquireRelease(
          registry.value.register(
            `discord gateway (${identity.owner === null ? "platform bot" : `tenant ${identity.owner}`})`,
            {}
          ),
          (handle) => handle.remove
        )
      )
      : Option.none<ComponentHandle>()
    const gatewayHealth = (report: (handle: ComponentHandle) => Effect.Effect<void>) =>
      Option.match(component, { onNone: () => Effect.void, onSome: report })
    let accepting = true
    const fork = (effect: Effect.Effect<void, never, Interactions>) => {
      if (accepting) run(effect.pipe(Effect.catchAllCause((cause) => Effect.logError(`${log}: event failed`, cause))))
    }

    const shards = Option.getOrUndefined(identity.shards)
    const client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildMessages],
      rest: identity.apiBase === undefined ? {} : { api: identity.apiBase },
      ...(shards === undefined ? {} : { shards: Array.from(shards.ids), shardCount: shards.count }),
      allowedMentions: { parse: [] },
      makeCache: Options.cacheWithLimits({
        ...Options.DefaultMakeCacheSettings,
        // Messages are handled as they arrive and never read back.
        MessageManager: 0,
        PresenceManager: 0,
        ReactionManager: 0,
        // Members come with each event and interaction; only the bot's own member is kept (its roles rule what it may manage).
        GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
        UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user.id }
      }),
      // A member who leaves is announced even when not cached.
      partials: [Partials.GuildMember]
    })
    const applicationId = () => ApplicationId.make(client.application?.id ?? client.user!.id)

    const guildSeen = (guild: Guild) =>
      installs.guildAvailable({
        guildId: GuildId.make(guild.id),
        name: guild.name,
        ownerId: UserId.make(guild.ownerId)
      }, identity.owner)

    /** After a restart: the snapshot of an installed guild, or the install decision for a new one. */
    const rehydrate = (guild: Guild) =>
      Effect.flatMap(cache.get(GuildId.make(guild.id)), (snapshot) =>
        Option.isSome(snapshot)
          ? Effect.succeed(true)
          : Effect.map(guildSeen(guild), (outcome) => outcome._tag !== "Unclaimed" && outcome._tag !== "Refused"))

    const onReady = Effect.gen(function*() {
      const guilds = Array.from(client.guilds.cache.values())
      const installed = yield* Effect.forEach(
        guilds,
        (guild) => Effect.map(rehydrate(guild), (ok) => (ok ? [GuildId.make(guild.id)] : [])),
        { concurrency: 16 }
      )
      const guildIds = installed.flat()
      const synced = yield* commands.syncAll(guildIds, applicationId(), { concurrency: 8 })
      yield* Effect.logInfo(
        `${log}: ready as ${client.user?.tag ?? "?"} in ${guilds.length} guild(s), ${guildIds.length} installed; ` +
          `commands: ${synced.put} put, ${synced.unchanged} unchanged, ${synced.blocked} blocked, ${synced.failed} failed`
      )
      // Feature and plan changes re-sync the changed guild's commands for as long as the bot runs.
      yield* Scope.extend(
        commands.watch(
          applicationId(),
          Effect.sync(() => Array.from(client.guilds.cache.keys(), (id) => GuildId.make(id)))
        ),
        scope
      )
      yield* gatewayHealth((handle) => handle.succeeded(`ready in ${guilds.length} guild(s)`))
      yield* Deferred.succeed(ready, undefined)
    })

    const onGuildCreate = (guild: Guild) =>
      Effect.gen(function*() {
        const outcome = yield* guildSeen(guild)
        yield* Effect.logInfo(`${log}: joined guild ${guild.name}: ${outcome._tag}`).pipe(
          Effect.annotateLogs({ guildId: guild.id })
        )
        if (outcome._tag !== "Unclaimed" && outcome._tag !== "Refused") {
          // A guild we knew removed the bot and added it back: Discord dropped the commands our hash remembers.
          const force = outcome._tag === "Updated" || outcome._tag === "Restored"
          yield* commands.syncGuild(GuildId.make(guild.id), applicationId(), { force })
        }
      })

    const onGuildDelete = (guild: Guild) =>
      // An outage makes guilds unavailable; only a real removal uninstalls.
      guild.available ? installs.guildRemoved(GuildId.make(guild.id)) : Effect.void

    const onMemberAdd = (member: GuildMember) =>
      members.memberJoined(GuildId.make(member.guild.id), UserId.make(member.id), member.guild.name)

    const onMemberRemove = (member: GuildMember | PartialGuildMember) =>
      members.memberLeft(GuildId.make(member.guild.id), UserId.make(member.id))

    const onMessage = (message: Message) =>
      message.guildId === null || message.author.bot || message.webhookId !== null
        ? Effect.void
        : members.messageCreated(
          GuildId.make(message.guildId),
          ChannelId.make(message.channelId),
          UserId.make(message.author.id)
        )

    const onInteraction = (interaction: Interaction) =>
      interaction.isChatInputCommand() ? answer(interaction) : Effect.void

    client.once(Events.ClientReady, () => fork(onReady))
    client.on(Events.GuildCreate, (guild) => fork(onGuildCreate(guild)))
    client.on(Events.GuildDelete, (guild) => fork(onGuildDelete(guild)))
    client.on(Events.GuildMemberAdd, (member) => fork(onMemberAdd(member)))
    client.on(Events.GuildMemberRemove, (member) => fork(onMemberRemove(member)))
    client.on(Events.MessageCreate, (message) => fork(onMessage(message)))
    client.on(Events.InteractionCreate, (interaction) => fork(onInteraction(interaction)))
    client.on(Events.Error, (error) => void run(Effect.logError(`${log}: client error`, error)))
    client.on(Events.ShardDisconnect, (event, shard) =>
      void run(
        Effect.logWarning(`${log}: shard ${shard} disconnected (${event.code})`).pipe(
          Effect.zipRight(gatewayHealth((handle) => handle.failed(`shard ${shard} disconnected (${event.code})`)))
        )
      ))
    // After the first ready, a shard that reconnects with a new session (rather than resuming) is ready again.
    client.on(Events.ShardReady, (shard) =>
      void run(
        Deferred.isDone(ready).pipe(
          Effect.flatMap((first) =>
            first ? gatewayHealth((handle) => handle.succeeded(`shard ${shard} ready`)) : Effect.void
          )
        )
      ))
    client.on(Events.ShardResume, (shard) =>
      void run(gatewayHealth((handle) => handle.succeeded(`shard ${shard} resumed`))))
    client.on(Events.Invalidated, () =>
      void run(
        Effect.logError(`${log}: Discord invalidated the session; the client gave up`).pipe(
          Effect.zipRight(gatewayHealth((handle) =>
            handle.stopped("Discord invalidated the session; check the token")
          ))
        )
      ))

    // The ports' calls go through a REST client of their own that leaves long rate limits and 5xx to the job
    // outbox (the Client's own waits them out, right for interaction replies but not for a job or a shutdown).
    const portsRest = yield* Effect.acquireRelease(
      Effect.sync(() => makeRest(identity.token, identity.apiBase)),
      (rest) =>
        Effect.sync(() => {
          rest.clearHashSweeper()
          rest.clearHandlerSweeper()
        })
    )
    yield* clients.register({
      owner: identity.owner,
      rest: portsRest,
      hasGuild: (id) => client.guilds.cache.has(id),
      roleView: (id) => roleViewOf(client.guilds.cache.get(id))
    })

    // Runs before FiberSet's own finalizer (added earlier), which would interrupt what is in flight.
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        accepting = false
        const size = yield* FiberSet.size(inFlight)
        if (size > 0) yield* Effect.logInfo(`${log}: draining ${size} in-flight interaction(s) and event(s)`)
        yield* FiberSet.awaitEmpty(inFlight).pipe(Effect.timeoutOption(drainTimeout))
        yield* Effect.promise(() => client.destroy())
        yield* Effect.logInfo(`${log}: gateway closed`)
      })
    )

    yield* Effect.tryPromise(() => client.login(Redacted.value(identity.token))).pipe(
      Effect.tap(() =>
        Effect.logInfo(
          `${log}: connecting to the gateway` +
            (shards === undefined ? "" : ` (shards ${shards.ids.join(",")} of ${shards.count})`)
        )
      ),
      Effect.catchAll((error) =>
        Effect.logError(
          `${log}: could not log in to Discord; the runner goes on without this bot`,
          error.error instanceof Error ? error.error.message : String(error.error)
        )
      )
    )
    return { ready, client }
  })
