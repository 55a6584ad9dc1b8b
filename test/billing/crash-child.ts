/**
 * The process that dies in test/billing/crash.test.ts. It boots the real
 * composition (CoreLive over the SQL stores) on the database the parent names,
 * sells a role, ingests a member's "subscription active" webhook through
 * Billing.ingest (committed: the receipt, the subscription and its GrantRole
 * job), optionally claims that job as a worker would (CRASH_MODE=claimed, with
 * the lease and worker id in CRASH_LEASE_MS and CRASH_WORKER_ID), prints what the parent needs on one line, and SIGKILLs
 * itself: no worker ever ran the job here, and nothing was shut down cleanly.
 *
 * Run as `node --import tsx test/billing/crash-child.ts` with
 * CRASH_DATABASE=server and CRASH_DATABASE_URL (search_path set to a migrated
 * schema), or CRASH_DATABASE=pglite and CRASH_PGLITE_DIR (a data directory);
 * CRASH_MODE (committed or claimed) and CRASH_EVENT_ID always.
 */
import { DateTime, Duration, Effect, Layer, Logger, LogLevel, Redacted } from "effect"
import { writeSync } from "node:fs"
import { MigrationsLive, PgliteClient, PgServerClient } from "../../adapters/postgres/index.js"
import { Billing, Jobs } from "../../core/index.js"
import { polarRoleAndMember, sqlRuntime, stateChanged, tenantWithGuild } from "../support/billing.js"

/** What the parent reads from the child's stdout. */
export interface CrashReport {
  readonly tenantId: string
  readonly guildId: string
  readonly roleId: string
  readonly userId: string
  readonly eventId: string
  readonly at: number
  readonly outcome: string
  readonly claimed: ReadonlyArray<{ readonly id: string; readonly kind: string }>
}

const env = (name: string) => {
  const value = process.env[name]
  if (value === undefined || value === "") throw new Error(`${name} is not set`)
  return value
}

const database = env("CRASH_DATABASE") === "pglite"
  ? PgliteClient.layer({ dataDir: env("CRASH_PGLITE_DIR") })
  : PgServerClient.layer({ url: Redacted.make(env("CRASH_DATABASE_URL")), maxConnections: 2 })
const mode = env("CRASH_MODE")

const program = Effect.gen(function*() {
  const { guildId, tenantId } = yield* tenantWithGuild("premium")
  const subject = yield* polarRoleAndMember(tenantId, guildId)
  const at = yield* DateTime.now
  const eventId = env("CRASH_EVENT_ID")
  const outcome = yield* (yield* Billing).ingest(stateChanged(subject, { status: "active", at, eventId }))
  const claimed = mode === "claimed"
    ? yield* (yield* Jobs).claim({
      workerId: env("CRASH_WORKER_ID"),
      limit: 100,
      now: yield* DateTime.now,
      lease: Duration.millis(Number(env("CRASH_LEASE_MS")))
    })
    : []
  const report: CrashReport = {
    tenantId,
    guildId,
    roleId: subject.roleId,
    userId: subject.userId,
    eventId,
    at: at.epochMillis,
    outcome,
    claimed: claimed.map((job) => ({ id: job.id, kind: job.kind }))
  }
  // Written synchronously: the next statement kills the process before any buffered output would drain.
  writeSync(1, `${JSON.stringify(report)}\n`)
  process.kill(process.pid, "SIGKILL")
})

const runtime = sqlRuntime(MigrationsLive.pipe(Layer.provideMerge(database)))

Effect.runFork(
  program.pipe(
    Effect.provide(runtime),
    Logger.withMinimumLogLevel(LogLevel.Warning)
  )
).addObserver((exit) => {
  // Reaching here means the process was not killed: the parent treats a clean exit as a failure.
  console.error("crash-child did not die:", exit)
  process.exit(3)
})
