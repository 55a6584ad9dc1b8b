import { HttpApiBuilder, HttpMiddleware } from "@effect/platform"
import { Effect } from "effect"
import { type Readiness, readinessReport } from "../../../core/index.js"
import { Api } from "../Api.js"

/** Probes arrive every few seconds: skip the access log line unless readiness fails. */
const quietly = HttpMiddleware.withLoggerDisabled(Effect.void)

export const HttpHealthLive = HttpApiBuilder.group(
  Api,
  "health",
  (handlers) =>
    // The layer's whole context: Readiness and, when the runtime has one, the BackgroundComponents registry.
    Effect.map(Effect.context<Readiness>(), (context) =>
      handlers
        .handle("live", () => Effect.as(quietly, { status: "live" as const }))
        .handle("ready", () =>
          readinessReport.pipe(
            Effect.provide(context),
            Effect.zipLeft(quietly),
            Effect.map((components) => ({ status: "ready" as const, components }))
          )))
)
