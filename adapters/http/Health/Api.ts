import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { ComponentReport } from "../../../core/index.js"
import { NotReady } from "../shared/Errors.js"

/** Probes for orchestrators; no authentication. */
export class HealthApi extends HttpApiGroup.make("health")
  .add(
    HttpApiEndpoint.get("live", "/health/live")
      .addSuccess(Schema.Struct({ status: Schema.Literal("live") }))
      .annotate(OpenApi.Summary, "Liveness")
      .annotate(OpenApi.Description, "Answers 200 while the process is running.")
  )
  .add(
    HttpApiEndpoint.get("ready", "/health/ready")
      .addSuccess(Schema.Struct({ status: Schema.Literal("ready"), components: Schema.Array(ComponentReport) }))
      .addError(NotReady)
      .annotate(OpenApi.Summary, "Readiness")
      .annotate(
        OpenApi.Description,
        "Answers 200 when the process can serve traffic: its database answers and no background component " +
          "(job worker, policy listener, white-label poller, license refresh, ...) is down, that is stopped or " +
          "without a successful round within its bound. 503 otherwise, naming the first component down. Both " +
          "list every component with its status (up, degraded: failing and retrying, down) and detail."
      )
  )
  .annotate(OpenApi.Description, "Liveness and readiness probes")
{}
