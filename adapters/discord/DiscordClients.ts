import { REST } from "discord.js"
import { Context, Effect, Layer, Option, Redacted, type Scope } from "effect"
import type { GuildId, GuildRoleView, TenantId } from "../../core/index.js"
import { discordSettingsConfig } from "./DiscordSettings.js"

/** Long rate limits are not waited out in a REST call: they fail as rate limited and the job outbox waits. */
export const maxQueuedRateLimitMs = 2_000

/** A REST client that leaves long rate limits and 5xx retries to the job outbox. */
export const makeRest = (token: Redacted.Redacted<string>, apiBase: string | undefined): REST =>
  new REST({
    version: "10",
    ...(apiBase === undefined ? {} : { api: apiBase }),
    // 5xx and timeouts are retried by the outbox with backoff, not hammered at once here.
    retries: 0,
    rejectOnRateLimit: (limit) => Math.max(limit.retryAfter, limit.timeToReset) > maxQueuedRateLimitMs
  }).setToken(Redacted.value(token))

/** What a connected gateway client tells the router: whether it is in a guild, and its REST. */
export interface GatewayRoute {
  /** The tenant whose own (white-label) bot this is; null for the platform bot. */
  readonly owner: TenantId | null
  readonly rest: REST
  readonly hasGuild: (guildId: GuildId) => boolean
  /** The guild's roles and the bot's place among them, from the gateway cache; undefined when not cached. */
  readonly roleView: (guildId: GuildId) => GuildRoleView | undefined
}

export interface DiscordClientsService {
  /** The REST client that speaks for the bot in `guildId`: the tenant's own bot's when it is there, else the platform bot's. None: no token at all. */
  readonly restFor: (guildId: GuildId) => Option.Option<REST>
  /** The cached role view of the bot that serves `guildId`; undefined without a gateway client in it. */
  readonly roleViewFor: (guildId: GuildId) => GuildRoleView | undefined
  /** The platform bot's REST (DISCORD_TOKEN); None without a token. */
  readonly platform: Option.Option<REST>
  /** A connected gateway client announces itself; removed when the scope closes. */
  readonly register: (route: GatewayRoute) => Effect.Effect<void, never, Scope.Scope>
}

/**
 * Which bot speaks in which guild. The platform bot (DISCORD_TOKEN) serves
 * every guild by default; a tenant's own white-label bot serves the guilds
 * its gateway client is in. Every Discord port routes its calls through here.
 */
export class DiscordClients extends Context.Tag("adapters/discord/DiscordClients")<
  DiscordClients,
  DiscordClientsService
>() {
  /** From DISCORD_TOKEN and DISCORD_API_BASE; the platform REST's sweepers stop with the layer. */
  static readonly layer = Layer.scoped(
    DiscordClients,
    Effect.gen(function*() {
      const settings = yield* discordSettingsConfig
      const platform = yield* Option.match(settings.token, {
        onNone: () => Effect.succeed(Option.none<REST>()),
        onSome: (token) =>
          Effect.map(
            Effect.acquireRelease(
              Effect.sync(() => makeRest(token, Option.getOrUndefined(settings.apiBase))),
              (rest) =>
                Effect.sync(() => {
                  rest.clearHashSweeper()
                  rest.clearHandlerSweeper()
                })
            ),
            Option.some
          )
      })
      const routes = new Set<GatewayRoute>()
      const register = (route: GatewayRoute) =>
        Effect.acquireRelease(Effect.sync(() => void routes.add(route)), () => Effect.sync(() => routes.delete(route)))
      /** A tenant's own bot in the guild first, then the platform's gateway client. */
      const routeFor = (guildId: GuildId): GatewayRoute | undefined => {
        let fallback: GatewayRoute | undefined
        for (const route of routes) {
          if (!route.hasGuild(guildId)) continue
          if (route.owner !== null) return route
          fallback = route
        }
        return fallback
      }
      const restFor = (guildId: GuildId): Option.Option<REST> => {
        const route = routeFor(guildId)
        return route === undefined ? platform : Option.some(route.rest)
      }
      const roleViewFor = (guildId: GuildId) => routeFor(guildId)?.roleView(guildId)
      return { restFor, roleViewFor, platform, register } satisfies DiscordClientsService
    })
  )
}
