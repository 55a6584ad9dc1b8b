import { NodeHttpServer } from "@effect/platform-node"
import type { SqlClient } from "@effect/sql"
import { ConfigProvider, Deferred, Duration, Effect, Layer, Option, Redacted } from "effect"
import { DiscordPortsLive, runDiscordBot } from "../../adapters/discord/index.js"
import { HttpServerLive, PublicUrl } from "../../adapters/http/index.js"
import { JobWakeupsSql, PolicyStoreSql, QuotaStoreSql, RepositoriesSql } from "../../adapters/postgres/index.js"
import { BackgroundComponents, JobWorker } from "../../core/index.js"
import { CoreLive } from "../../programs/Core.js"
import { GuildInstallsLive } from "../../programs/GuildInstalls.js"
import { PaymentGatewaysLive, WebhookVerifiersLive } from "../../programs/Payments.js"
import { BotLinksLive } from "../../programs/Settings.js"
import type { FakeDiscord } from "./fakes/FakeDiscord.js"

/**
 * The runner's composition (programs/Runner.ts and Application.ts) on a
 * test database and a test HTTP server: the core, the job worker, the HTTP
 * API with the webhooks, and the Discord ports over DiscordClients pointed
 * at a FakeDiscord. Tests start the gateway client with `startBot`.
 */

export const botToken = "fake-discord-bot-token"
export const publicUrl = "https://guildhall.test"

export interface BotOutside {
  readonly discord: FakeDiscord
  readonly polarApiBase?: string
  /** Whether DISCORD_TOKEN is set (the platform bot); default true. */
  readonly platformBot?: boolean
  /** More settings (environment variables) for the runtime. */
  readonly settings?: Readonly<Record<string, string>>
}

/** The runtime's environment: the fake's addresses, the bot's token and application, the public URL. */
export const botSettings = (outside: BotOutside) =>
  ConfigProvider.fromMap(
    new Map([
      ...(outside.platformBot === false ? [] : [["DISCORD_TOKEN", botToken] as const]),
      ["DISCORD_API_BASE", outside.discord.apiBase],
      ["DISCORD_APPLICATION_ID", outside.discord.applicationId],
      ["GUILDHALL_PUBLIC_URL", publicUrl],
      ...(outside.polarApiBase === undefined ? [] : [["POLAR_API_BASE", outside.polarApiBase] as const]),
      ...Object.entries(outside.settings ?? {})
    ])
  )

export const botRuntime = (database: Layer.Layer<SqlClient.SqlClient, unknown>, outside: BotOutside) => {
  return HttpServerLive().pipe(
    Layer.provideMerge(JobWorker.layer({ pollInterval: Duration.millis(100) })),
    Layer.provideMerge(
      Layer.mergeAll(WebhookVerifiersLive, Layer.succeed(PublicUrl, publicUrl), GuildInstallsLive("hosted"))
    ),
    Layer.provideMerge(CoreLive),
    Layer.provideMerge(
      Layer.mergeAll(
        RepositoriesSql,
        QuotaStoreSql,
        PolicyStoreSql,
        JobWakeupsSql,
        PaymentGatewaysLive,
        DiscordPortsLive,
        BotLinksLive
      )
    ),
    Layer.provideMerge(database),
    Layer.provideMerge(NodeHttpServer.layerTest),
    // As ApplicationLive: the registry of background components under everything (ADR 095).
    Layer.provideMerge(BackgroundComponents.layer),
    Layer.provide(Layer.setConfigProvider(botSettings(outside))),
    Layer.orDie
  )
}

/** The platform bot connected to the fake for the scope's lifetime; answers once it is ready. */
export const startBot = (discord: FakeDiscord, readyWithin: Duration.DurationInput = "20 seconds") =>
  Effect.gen(function*() {
    const bot = yield* runDiscordBot({
      token: Redacted.make(botToken),
      apiBase: discord.apiBase,
      shards: Option.none(),
      owner: null
    })
    yield* Deferred.await(bot.ready).pipe(
      Effect.timeoutFail({ duration: readyWithin, onTimeout: () => new Error("the bot never became ready") }),
      Effect.orDie
    )
    return bot
  })

/** Polls `check` every 25 ms until it holds (then answers how long it took), failing the test after `within`. */
export const eventually = (what: string, check: () => boolean, within: Duration.DurationInput = "5 seconds") =>
  Effect.gen(function*() {
    const started = Date.now()
    const deadline = started + Duration.toMillis(within)
    while (!check()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out waiting for ${what}`))
      yield* Effect.sleep("25 millis")
    }
    return Date.now() - started
  })
