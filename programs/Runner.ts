import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { HttpServerLive, PublicUrl } from "../adapters/http/index.js"
import { JobWorker } from "../core/index.js"
import { ApplicationLive } from "./Application.js"
import { bootstrap } from "./Bootstrap.js"
import { guildInstallsLive } from "./GuildInstallsLive.js"
import { scheduleHousekeeping } from "./Housekeeping.js"
import { WebhookVerifiersLive } from "./Payments.js"
import { JobSettings, publicUrlOf, type RunMode, ServeSettings } from "./Settings.js"

/**
 * A runner: the core over the configured database (migrated at boot), the
 * HTTP API on PORT, the job worker, and the first-boot bootstrap. Hosted and
 * self-host differ only in what the bootstrap creates. Role grants go to
 * Discord's REST API with DISCORD_TOKEN (without it they wait in the outbox);
 * the gateway half of the Discord runtime comes with a later issue.
 */
const makeRunner = (mode: RunMode) =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const settings = yield* ServeSettings
      const jobs = yield* JobSettings
      const AppLive = Layer.mergeAll(
        WebhookVerifiersLive,
        Layer.succeed(PublicUrl, publicUrlOf(settings)),
        guildInstallsLive(mode)
      ).pipe(
        Layer.provideMerge(ApplicationLive)
      )
      const WorkerLive = jobs.enabled
        ? JobWorker.layer({ concurrency: jobs.concurrency, pollInterval: jobs.pollInterval }).pipe(
          Layer.tap(() => Effect.logInfo(`jobs: worker started (concurrency ${jobs.concurrency})`))
        )
        : Layer.effectDiscard(Effect.logInfo("jobs: worker off (GUILDHALL_JOBS=off); another replica runs the jobs"))
      const ServerLive = HttpServerLive().pipe(
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
      return Layer.mergeAll(AnnounceLive, WorkerLive).pipe(Layer.provideMerge(ServerLive), Layer.provide(AppLive))
    })
  )

export const HostedRunner = makeRunner("hosted")
export const SelfHostRunner = makeRunner("self-host")
export const runnerFor = (mode: RunMode) => (mode === "hosted" ? HostedRunner : SelfHostRunner)
