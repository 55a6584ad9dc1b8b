import { Config, DateTime, Duration, Effect, ExecutionStrategy, Exit, Layer, Option, Scope } from "effect"
import {
  type BotIdentity,
  discordSettingsConfig,
  runDiscordBot,
  type ShardSettings,
  shardSettingsConfig
} from "../adapters/discord/index.js"
import { supervisedLoop, type TenantBot, type TenantId, WhiteLabel } from "../core/index.js"
import type { RunMode } from "./Settings.js"

/** How often the hosted runner looks for white-label bots to start or stop (GUILDHALL_WHITE_LABEL_POLL). */
export const whiteLabelPollConfig = Config.duration("GUILDHALL_WHITE_LABEL_POLL").pipe(
  Config.withDefault(Duration.minutes(1))
)

/** The process that runs shard 0 (or every shard) also runs the tenants' bots, so each runs exactly once. */
const runsTenantBots = (shards: Option.Option<ShardSettings>) =>
  Option.match(shards, { onNone: () => true, onSome: (settings) => settings.ids.includes(0) })

interface RunningTenantBot {
  readonly version: number
  readonly scope: Scope.CloseableScope
}

/**
 * Keeps one gateway client per white-label bot WhiteLabel.listBots answers:
 * a new bot starts, a replaced token restarts its client, a removed bot (or
 * one whose tenant's plan no longer allows it) stops, each within one poll.
 */
const superviseTenantBots = (apiBase: string | undefined, every: Duration.Duration) =>
  Effect.gen(function*() {
    const whiteLabel = yield* WhiteLabel
    const parent = yield* Effect.scope
    const running = new Map<TenantId, RunningTenantBot>()
    const versionOf = (bot: TenantBot) => DateTime.toEpochMillis(bot.updatedAt)

    const stop = (tenantId: TenantId, why: string) =>
      Effect.suspend(() => {
        const bot = running.get(tenantId)
        if (bot === undefined) return Effect.void
        running.delete(tenantId)
        return Effect.zipRight(
          Effect.logInfo(`discord[${tenantId}]: stopping the tenant's bot (${why})`),
          Scope.close(bot.scope, Exit.void)
        )
      })

    const start = (bot: TenantBot) =>
      Effect.gen(function*() {
        const scope = yield* Scope.fork(parent, ExecutionStrategy.sequential)
        const identity: BotIdentity = { token: bot.token, apiBase, shards: Option.none(), owner: bot.tenantId }
        yield* Scope.extend(runDiscordBot(identity), scope)
        running.set(bot.tenantId, { version: versionOf(bot), scope })
      })

    const reconcile = Effect.gen(function*() {
      const wanted = new Map((yield* whiteLabel.listBots).map((bot) => [bot.tenantId, bot]))
      for (const [tenantId, bot] of running) {
        const next = wanted.get(tenantId)
        if (next === undefined) yield* stop(tenantId, "removed, or no longer in the tenant's plan")
        else if (versionOf(next) !== bot.version) yield* stop(tenantId, "replaced")
      }
      for (const bot of wanted.values()) {
        if (!running.has(bot.tenantId)) yield* start(bot)
      }
    })

    // A failed round (the database is away) is logged and tried again with backoff (ADR 095).
    yield* supervisedLoop(
      { name: "white-label poller", staleAfter: Duration.times(every, 3) },
      () => Effect.zipRight(reconcile, Effect.sleep(every))
    ).pipe(Effect.forkScoped)
  })

/**
 * The gateway half of the Discord runtime, for the runner's lifetime: the
 * platform bot (DISCORD_TOKEN; without it the runner says so once and goes
 * on without the gateway) and, hosted, the tenants' own bots. Closing the
 * layer drains in-flight interactions before the clients disconnect.
 */
export const DiscordGatewayLive = (mode: RunMode) =>
  Layer.scopedDiscard(
    Effect.gen(function*() {
      const settings = yield* discordSettingsConfig
      const shards = yield* shardSettingsConfig
      const apiBase = Option.getOrUndefined(settings.apiBase)
      yield* Option.match(settings.token, {
        onNone: () =>
          Effect.logWarning(
            "discord: DISCORD_TOKEN is not set; starting without the gateway: no slash commands or member " +
              "events, and role changes and posts wait in the job outbox until a runner with a token takes them"
          ),
        onSome: (token) => runDiscordBot({ token, apiBase, shards, owner: null })
      })
      if (mode === "hosted" && runsTenantBots(shards)) {
        yield* superviseTenantBots(apiBase, yield* whiteLabelPollConfig)
      }
    })
  )
