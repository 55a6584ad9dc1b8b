import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { HttpServerLive } from "../adapters/http/index.js"
import { bootstrap } from "./Bootstrap.js"
import { CoreLive } from "./CoreLive.js"
import { MigratedDatabaseLive } from "./Database.js"
import { publicUrlOf, type RunMode, ServeSettings } from "./Settings.js"

/**
 * A runner: the core over the configured database (migrated at boot), the
 * HTTP API on PORT, and the first-boot bootstrap. Hosted and self-host differ
 * only in what the bootstrap creates; later issues add the Discord runtime
 * and the job worker here.
 */
const makeRunner = (mode: RunMode) =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const settings = yield* ServeSettings
      const AppLive = CoreLive.pipe(Layer.provideMerge(MigratedDatabaseLive))
      const ServerLive = HttpServerLive().pipe(
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: settings.port, host: settings.host }))
      )
      // Built after the server listens (it needs HttpServer), so the banner only appears once requests are served.
      const AnnounceLive = Layer.effectDiscard(
        Effect.gen(function*() {
          yield* bootstrap(mode, settings.selfHostTenantName)
          const url = publicUrlOf(settings)
          yield* HttpServer.logAddress
          yield* Console.log(`Guildhall (${mode}) is serving on ${url}\nAPI docs: ${url}/docs`)
        })
      )
      return AnnounceLive.pipe(Layer.provideMerge(ServerLive), Layer.provide(AppLive))
    })
  )

export const HostedRunner = makeRunner("hosted")
export const SelfHostRunner = makeRunner("self-host")
export const runnerFor = (mode: RunMode) => (mode === "hosted" ? HostedRunner : SelfHostRunner)
