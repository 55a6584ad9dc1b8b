import { Client, Events, GatewayIntentBits, type Guild, Options, Partials, PermissionFlagsBits } from "discord.js"
import { Deferred, Duration, Effect, FiberSet, Option, Redacted, type Scope } from "effect"
import {
  BackgroundComponents,
  type CommandSync,
  type ComponentHandle,
  type GuildInstalls,
  type GuildRoleView,
  type Interactions,
  type MemberEvents,
  type PolicyCache,
  RoleId,
  type TenantId
} from "../../core/index.js"
import { DiscordClients, makeRest } from "./DiscordClients.js"
import { subscribeGatewayEvents } from "./gatewayEvents.js"
import type { ShardSettings } from "./GatewaySettings.js"

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

/** How long shutdown waits for in-flight interactions and events before closing the gateway. */
export const drainTimeout = Duration.seconds(10)

const label = (identity: BotIdentity) => (identity.owner === null ? "discord" : `discord[${identity.owner}]`)

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
    const clients = yield* DiscordClients
    const ready = yield* Deferred.make<void>()
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
    yield* subscribeGatewayEvents({ client, owner: identity.owner, log, ready, gatewayHealth, fork })

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
