import type { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Redacted, TestClock } from "effect"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { DiscordRolesMemoryControl } from "../../adapters/memory/index.js"
import { PgliteClient, PgServerClient } from "../../adapters/postgres/index.js"
import { Billing, GuildId, type MemberRoleSubject, RoleId, TenantId, UserId } from "../../core/index.js"
import {
  allJobsOf,
  drainJobs,
  holdsRole,
  jobsOf,
  newEventId,
  roleChangesOf,
  sqlRuntime,
  stateChanged
} from "../support/billing.js"
import { isolatedServerSchema, serverAvailable } from "../support/databases.js"
import type { CrashReport } from "./crash-child.js"

/**
 * "Stop the process between commit and job execution; after restart the role
 * is granted exactly once." A child process (crash-child.ts) boots the real
 * composition, ingests a member's webhook (committed with its GrantRole job)
 * and SIGKILLs itself, either before any worker ran or after it claimed the
 * job as a worker. This process then opens the same database with a Discord of
 * its own, runs the worker and checks the role was granted once, the job is
 * done, and the webhook sent again is a duplicate that enqueues nothing.
 *
 * On the Postgres server the database is a schema of its own, dropped at the
 * end. PGlite runs on a data directory the child leaves behind mid-flight
 * (WAL written, no shutdown): reopening it is Postgres's crash recovery.
 */

const childScript = fileURLToPath(new URL("./crash-child.ts", import.meta.url))
const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url))
const doomedWorker = "doomed-worker"
const leaseMs = 30_000

interface ChildExit {
  readonly stdout: string
  readonly stderr: string
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

const runChild = (env: Record<string, string>) =>
  Effect.async<ChildExit>((resume) => {
    const child = spawn(process.execPath, ["--import", "tsx", childScript], {
      cwd: repositoryRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => stdout += String(chunk))
    child.stderr.on("data", (chunk) => stderr += String(chunk))
    child.on("close", (code, signal) => resume(Effect.succeed({ stdout, stderr, code, signal })))
    return Effect.sync(() => void child.kill("SIGKILL"))
  })

interface CrashDatabase {
  /** What tells the child where the database is. */
  readonly childEnv: Record<string, string>
  /** The same database, opened by this process after the child died. */
  readonly reopen: () => Layer.Layer<SqlClient.SqlClient>
}

type Mode = "committed" | "claimed"

const crashThenRecover = (database: CrashDatabase, mode: Mode) =>
  Effect.gen(function*() {
    const eventId = newEventId("polar_evt")
    const child = yield* runChild({
      ...database.childEnv,
      CRASH_MODE: mode,
      CRASH_EVENT_ID: eventId,
      CRASH_WORKER_ID: doomedWorker,
      CRASH_LEASE_MS: String(leaseMs)
    })
    assert.strictEqual(child.signal, "SIGKILL", `the child did not kill itself (exit ${child.code}): ${child.stderr}`)
    const report = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as CrashReport
    assert.strictEqual(report.outcome, "recorded")

    // The restart: a new runtime on the same database, with a Discord that has never seen the member.
    const recovered = yield* Layer.build(sqlRuntime(database.reopen()))
    yield* Effect.gen(function*() {
      const subject: MemberRoleSubject = {
        _tag: "MemberRole",
        tenantId: TenantId.make(report.tenantId),
        guildId: GuildId.make(report.guildId),
        roleId: RoleId.make(report.roleId),
        userId: UserId.make(report.userId)
      }
      const discord = yield* DiscordRolesMemoryControl
      yield* discord.addMember(subject.guildId, subject.userId)

      const grants = () => jobsOf(subject.tenantId, "billing.GrantRole")
      const [left] = yield* grants()
      assert.strictEqual((yield* grants()).length, 1)
      if (mode === "claimed") {
        // The dead worker's claim holds until its lease runs out; then another worker takes the job over.
        assert.deepStrictEqual(report.claimed, [{ id: left!.id, kind: "billing.GrantRole" }])
        assert.deepStrictEqual({ status: left!.status, lockedBy: left!.lockedBy, attempts: left!.attempts }, {
          status: "running",
          lockedBy: doomedWorker,
          attempts: 1
        })
        const lockedUntil = left!.lockedUntil!
        assert.strictEqual(DateTime.distance(DateTime.unsafeMake(report.at), lockedUntil) >= leaseMs, true)
        yield* TestClock.setTime(lockedUntil.epochMillis - 1)
        assert.strictEqual(yield* drainJobs, 0)
        assert.strictEqual((yield* grants())[0]!.status, "running")
        yield* TestClock.setTime(lockedUntil.epochMillis + 1)
      } else {
        assert.deepStrictEqual(report.claimed, [])
        assert.deepStrictEqual({ status: left!.status, attempts: left!.attempts }, { status: "pending", attempts: 0 })
        yield* TestClock.setTime(left!.runAt.epochMillis)
      }

      assert.isAbove(yield* drainJobs, 0)
      const [done] = yield* grants()
      assert.deepStrictEqual(
        { status: done!.status, attempts: done!.attempts },
        { status: "done", attempts: mode === "claimed" ? 2 : 1 }
      )
      assert.deepStrictEqual(yield* discord.counts, { grants: 1, revokes: 0 })
      assert.isTrue(yield* holdsRole(subject))

      // The provider sends the webhook again: a duplicate, nothing enqueued, nothing granted twice.
      const before = (yield* allJobsOf(subject.tenantId)).map((job) => job.id).sort()
      const again = stateChanged(subject, { status: "active", at: DateTime.unsafeMake(report.at), eventId })
      assert.strictEqual(yield* (yield* Billing).ingest(again), "duplicate")
      assert.deepStrictEqual((yield* allJobsOf(subject.tenantId)).map((job) => job.id).sort(), before)
      yield* drainJobs
      assert.deepStrictEqual(yield* roleChangesOf(subject), { grants: 1, revokes: 0 })
    }).pipe(Effect.provide(recovered))
  })

/** A new schema on the server, migrated by the child at boot; dropped when the test's scope closes. */
const serverCrashDatabase = Effect.gen(function*() {
  const { url } = yield* isolatedServerSchema
  const database: CrashDatabase = {
    childEnv: { CRASH_DATABASE: "server", CRASH_DATABASE_URL: url },
    reopen: () => Layer.orDie(PgServerClient.layer({ url: Redacted.make(url) }))
  }
  return database
})

/** A PGlite data directory for the child to create, migrate and die in; deleted when the test's scope closes. */
const pgliteCrashDatabase = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "guildhall-crash-"))),
    (directory) => Effect.sync(() => rmSync(directory, { recursive: true, force: true }))
  ),
  (directory): CrashDatabase => ({
    childEnv: { CRASH_DATABASE: "pglite", CRASH_PGLITE_DIR: directory },
    reopen: () => Layer.orDie(PgliteClient.layer({ dataDir: directory }))
  })
)

const withServer = await serverAvailable()

describe("a process killed between the webhook's commit and its job", () => {
  for (const mode of ["committed", "claimed"] as const) {
    const when = mode === "committed" ? "before any worker ran" : "while its worker held the job"
    it.scoped.skipIf(!withServer)(
      `Postgres server: killed ${when}; after restart the role is granted once`,
      () => Effect.flatMap(serverCrashDatabase, (database) => crashThenRecover(database, mode)),
      120_000
    )

    it.scoped(
      `PGlite data directory: killed ${when}; after restart the role is granted once`,
      () => Effect.flatMap(pgliteCrashDatabase, (database) => crashThenRecover(database, mode)),
      120_000
    )
  }
})
