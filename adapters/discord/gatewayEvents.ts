import { type Client, Events, type Guild, type GuildMember, type Message, type PartialGuildMember } from "discord.js"
import { Deferred, Effect, Option, Scope } from "effect"
import {
  ApplicationId,
  ChannelId,
  CommandSync,
  type ComponentHandle,
  GuildId,
  GuildInstalls,
  type Interactions,
  MemberEvents,
  PolicyCache,
  type TenantId,
  UserId
} from "../../core/index.js"
import { answerCommand } from "./answerCommand.js"

/** What the core's events need of the running bot. */
export interface GatewayBot {
  readonly client: Client
  /** The tenant whose own white-label bot this is; null for the platform bot. */
  readonly owner: TenantId | null
  /** The bot's name in log lines. */
  readonly log: string
  readonly ready: Deferred.Deferred<void>
  /** Reports on the gateway's readiness component, when the runner keeps a registry. */
  readonly gatewayHealth: (report: (handle: ComponentHandle) => Effect.Effect<void>) => Effect.Effect<void>
  /** Runs an event's work among the bot's in-flight fibers (dropped once shutdown began). */
  readonly fork: (effect: Effect.Effect<void, never, Interactions>) => void
}

/**
 * Feeds the client's events into the core: guilds into installs and command
 * sync, members into paid roles and features, slash commands through the
 * guardrail. On ready it rehydrates every guild's policy snapshot and syncs
 * commands (only changed sets are PUT), then watches for changes for the
 * scope's lifetime.
 */
export const subscribeGatewayEvents = (
  bot: GatewayBot
): Effect.Effect<void, never, Scope.Scope | GuildInstalls | CommandSync | PolicyCache | MemberEvents> =>
  Effect.gen(function*() {
    const { client, fork, gatewayHealth, log, ready } = bot
    const installs = yield* GuildInstalls
    const commands = yield* CommandSync
    const cache = yield* PolicyCache
    const members = yield* MemberEvents
    const scope = yield* Effect.scope
    const applicationId = () => ApplicationId.make(client.application?.id ?? client.user!.id)

    const guildSeen = (guild: Guild) =>
      installs.guildAvailable({
        guildId: GuildId.make(guild.id),
        name: guild.name,
        ownerId: UserId.make(guild.ownerId)
      }, bot.owner)

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

    client.once(Events.ClientReady, () => fork(onReady))
    client.on(Events.GuildCreate, (guild) => fork(onGuildCreate(guild)))
    client.on(Events.GuildDelete, (guild) => fork(onGuildDelete(guild)))
    client.on(Events.GuildMemberAdd, (member) => fork(onMemberAdd(member)))
    client.on(Events.GuildMemberRemove, (member) => fork(onMemberRemove(member)))
    client.on(Events.MessageCreate, (message) => fork(onMessage(message)))
    client.on(
      Events.InteractionCreate,
      (interaction) => fork(interaction.isChatInputCommand() ? answerCommand(interaction) : Effect.void)
    )
  })
