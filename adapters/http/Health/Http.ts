import { HttpApiBuilder, HttpMiddleware } from "@effect/platform"
import { Effect } from "effect"
import { Readiness } from "../../../core/index.js"
import { Api } from "../Api.js"

/** Probes arrive every few seconds: skip the access log line unless readiness fails. */
const quietly = HttpMiddleware.withLoggerDisabled(Effect.void)

export const HealthLive = HttpApiBuilder.group(
  Api,
  "health",
  (handlers) =>
    Effect.map(Readiness, (readiness) =>
      handlers
        .handle("live", () => Effect.as(quietly, { status: "live" as const }))
        .handle("ready", () => readiness.check.pipe(Effect.zipRight(quietly), Effect.as({ status: "ready" as const }))))
)
