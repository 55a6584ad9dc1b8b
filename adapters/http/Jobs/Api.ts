import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Access } from "../Access.js"
import { Authentication } from "../Auth.js"
import { OperatorOnly } from "../shared/Errors.js"

export const JobView = Schema.Struct({
  id: Schema.String,
  tenantId: Schema.NullOr(Schema.String),
  kind: Schema.String,
  status: Schema.Literal("pending", "running", "done", "dead"),
  runAt: Schema.DateTimeUtc,
  attempts: Schema.Int,
  maxAttempts: Schema.Int,
  lastError: Schema.NullOr(Schema.String),
  createdAt: Schema.DateTimeUtc,
  finishedAt: Schema.NullOr(Schema.DateTimeUtc)
}).annotations({ identifier: "Job" })

export class JobNotFound extends Schema.TaggedError<JobNotFound>()(
  "JobNotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class JobsApi extends HttpApiGroup.make("jobs")
  .annotate(Access, Access.operator)
  .add(
    HttpApiEndpoint.get("list", "/jobs")
      .setUrlParams(Schema.Struct({
        status: Schema.optionalWith(Schema.Literal("pending", "running", "done", "dead"), { default: () => "dead" }),
        kind: Schema.optional(Schema.String),
        limit: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)), {
          default: () => 100
        })
      }))
      .addSuccess(Schema.Array(JobView))
      .addError(OperatorOnly)
      .annotate(OpenApi.Summary, "Background jobs by status (dead letters by default)")
      .annotate(OpenApi.Description, "Operator only. Payloads are not shown; lastError says why a job failed.")
  )
  .add(
    HttpApiEndpoint.post("revive", "/jobs/:id/revive")
      .setPath(Schema.Struct({ id: Schema.UUID }))
      .addSuccess(JobView)
      .addError(OperatorOnly)
      .addError(JobNotFound)
      .annotate(OpenApi.Summary, "Run a dead job again, with fresh attempts (after fixing its cause)")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "The job outbox: role grants, plan changes, dunning timers")
{}
