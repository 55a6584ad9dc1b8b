import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { HttpServerLive, PublicUrl } from "../adapters/http/index.js"
import { JobWorker } from "../core/index.js"
import { ApplicationLive } from "./Application.js"
import { bootstrap } from "./Bootstrap.js"
import { DiscordGatewayLive } from "./DiscordGateway.js"
import { GuildInstallsLive } from "./GuildInstalls.js"
import { scheduleHousekeeping } from "./Housekeeping.js"
import { SelfHostLicensingLive } from "./Licensing.js"
import { watchOperatorKeyFile } from "./OperatorKeyFile.js"
import { WebhookVerifiersLive } from "./Payments.js"
import { JobSettings, publicUrlOf, type RunMode, ServeSettings } from "./Settings.js"

/**
 * A runner: the core over the configured database (migrated at boot), the
 * HTTP API on PORT, the job worker, the first-boot bootstrap, then the
 * Discord gateway (DISCORD_TOKEN; hosted also the tenants' own bots). Hosted
 * and self-host differ in what the bootstrap creates and in how a guild the
 * bot joins finds its tenant (ADR 070).
 */
const makeRunner = (mode: RunMode) =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const settings = yield* ServeSettings
      const jobs = yield* JobSettings
      const AppLive = Layer.mergeAll(
        WebhookVerifiersLive,
        Layer.succeed(PublicUrl, publicUrlOf(settings)),
        GuildInstallsLive(mode)
      ).pipe(
        Layer.provideMerge(ApplicationLive)
      )
      const WorkerLive = jobs.enabled
        ? JobWorker.layer({ concurrency: jobs.concurrency, pollInterval: jobs.pollInterval }).pipe(
          Layer.tap(() => Effect.logInfo(`jobs: worker started (concurrency ${jobs.concurrency})`))
        )
        : Layer.effectDiscard(Effect.logInfo("jobs: worker off (GUILDHALL_JOBS=off); another replica runs the jobs"))
      const ServerLive = HttpServerLive({ tracing: settings.tracing }).pipe(
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: settings.port, host: settings.host }))
      )
      // Built after the server listens (it needs HttpServer), so the banner only appears once requests are served.
      const AnnounceLive = Layer.effectDiscard(
        Effect.gen(function*() {
          yield* bootstrap(mode, settings.selfHostTenantName)
          yield* scheduleHousekeeping
          const url = publicUrlOf(settings)
          yield* HttpServer.logAddress
          yield* Console.log(`Guildhall (${mode}) is serving on ${url}\nAPI docs: ${url}/docs`)
        })
      )
      // The gateway connects once the bootstrap is done, so a self-host install's guilds find their tenant.
      const GatewayLive = DiscordGatewayLive(mode).pipe(Layer.provide(AnnounceLive))
      // A self-host install checks its license once its tenant exists (after the bootstrap).
      const LicensingLive = mode === "self-host"
        ? SelfHostLicensingLive.pipe(Layer.provide(AnnounceLive))
        : Layer.empty
      // Operator keys for a running server through a file (ADR 094), once the bootstrap has issued the first one.
      const OperatorKeyFileLive = Layer.scopedDiscard(Effect.forkScoped(watchOperatorKeyFile)).pipe(
        Layer.provide(AnnounceLive)
      )
      return Layer.mergeAll(GatewayLive, LicensingLive, WorkerLive, OperatorKeyFileLive).pipe(
        Layer.provideMerge(ServerLive),
        Layer.provide(AppLive)
      )
    })
  )

export const HostedRunner = makeRunner("hosted")
export const SelfHostRunner = makeRunner("self-host")
export const runnerFor = (mode: RunMode) => (mode === "hosted" ? HostedRunner : SelfHostRunner)
