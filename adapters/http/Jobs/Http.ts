import { HttpApiBuilder } from "@effect/platform"
import { DateTime, Effect, Option } from "effect"
import { type Job, Jobs } from "../../../core/index.js"
import { Api } from "../Api.js"
import { ensureOperator } from "../Policy.js"
import { JobNotFound } from "./Api.js"

const viewOf = (job: Job) => ({
  id: job.id,
  tenantId: job.tenantId,
  kind: job.kind,
  status: job.status,
  runAt: job.runAt,
  attempts: job.attempts,
  maxAttempts: job.maxAttempts,
  lastError: job.lastError,
  createdAt: job.createdAt,
  finishedAt: job.finishedAt
})

export const HttpJobsLive = HttpApiBuilder.group(Api, "jobs", (handlers) =>
  Effect.map(Jobs, (jobs) =>
    handlers
      .handle("list", ({ urlParams }) =>
        Effect.zipRight(
          ensureOperator("list jobs"),
          Effect.map(
            jobs.list({
              status: urlParams.status,
              limit: urlParams.limit,
              ...(urlParams.kind === undefined ? {} : { kind: urlParams.kind })
            }),
            (found) => found.map(viewOf)
          )
        ))
      .handle("revive", ({ path }) =>
        Effect.gen(function*() {
          yield* ensureOperator("revive jobs")
          const notFound = new JobNotFound({ message: `No dead job ${path.id}` })
          if (!(yield* jobs.revive(path.id, yield* DateTime.now))) return yield* notFound
          const job = yield* jobs.find(path.id)
          return Option.match(job, {
            onNone: () => Effect.fail(notFound),
            onSome: (found) => Effect.succeed(viewOf(found))
          })
        }).pipe(Effect.flatten))))
