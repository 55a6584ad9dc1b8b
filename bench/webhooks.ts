/**
 * The webhook benchmark: signed Polar webhooks POSTed over HTTP to the real
 * server on the Postgres server, compared with pgbench's single-row INSERT on
 * the same server, and the latency from a payment to the Discord role grant
 * through the job worker.
 *
 *   npm run bench:webhooks
 *   BENCH_SECONDS=3 BENCH_PAYMENTS=50 npm run bench:webhooks   # a quick run
 *
 * Settings (env): BENCH_SECONDS (10) per concurrency level, BENCH_CONCURRENCY
 * ("1,8,32"), BENCH_DUPLICATE_PERCENT (20), BENCH_TENANTS (8), BENCH_PAYMENTS
 * (200) and BENCH_PAYMENT_INTERVAL_MS (50) for the role-grant phase,
 * BENCH_WORKER_DURING_ACK (false), BENCH_CPU_PROFILE (a file for a CPU profile of
 * the server's process over the ACK levels), BENCH_DATABASE_URL
 * (postgres://postgres@127.0.0.1:5432/test).
 *
 * The server is the runner's composition (programs/Runner.ts): ApplicationLive's
 * CoreLive over MigratedDatabaseLive (a fresh schema, dropped at the end), the
 * webhook verifiers, HttpServerLive on NodeHttpServer at 127.0.0.1:0. One
 * swap: DiscordRolesMemory instead of DiscordRolesOffline, wrapped to
 * timestamp each grant. The senders (signing, HTTP client) run in a process of
 * their own (bench/webhookSenders.ts), so this one measures the server only.
 * Each level prints the CPU per request of the server's process, of the
 * senders' and, when Postgres runs on this machine, of its processes (/proc).
 * Logs below Warning are dropped (the access log line of
 * every request would measure the console).
 *
 * Phases:
 * 1. ACK: per concurrency level, that many senders POST for BENCH_SECONDS;
 *    each new event is subscription.active for a member of its own (a new
 *    subscription row, a GrantRole job); BENCH_DUPLICATE_PERCENT of the
 *    requests re-deliver an earlier event (same webhook-id and body, signed
 *    again, as Polar retries). By default the job worker is OFF here, so it
 *    does not compete with ingest for the two CPUs and the pool; jobs pile up
 *    (BENCH_WORKER_DURING_ACK=true runs it meanwhile, as the runner does).
 *    After each level, pgbench runs as many clients for as long, each
 *    transaction one INSERT into a scratch table with a bigserial key (the
 *    issue's yardstick); then the webhook's own transaction
 *    (bench/webhookTransaction.ts: what the ledger commits for a new event,
 *    prepared and pipelined as the server sends it), whose rate is the most
 *    any server could acknowledge on this Postgres, and whose rows are then
 *    deleted so the worker never sees them.
 * 2. Drain: the worker starts (the runner's settings: GUILDHALL_JOB_CONCURRENCY,
 *    GUILDHALL_JOB_POLL_INTERVAL) and works off the backlog. Every member
 *    joined the fake guild before their event was sent, so each grant counts.
 * 3. Payment -> role granted: BENCH_PAYMENTS new members' events, one every
 *    BENCH_PAYMENT_INTERVAL_MS, each timed from the moment its POST starts to
 *    the moment the Discord port granted the role.
 */
import { HttpServer } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import {
  Cause,
  Config,
  ConfigProvider,
  Context,
  Duration,
  Effect,
  Fiber,
  Layer,
  Logger,
  LogLevel,
  Option,
  Redacted
} from "effect"
import { execFile, fork } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { Agent, createServer } from "node:http"
import { Session as InspectorSession } from "node:inspector/promises"
import { availableParallelism, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { HttpServerLive, PublicUrl } from "../adapters/http/index.js"
import {
  DiscordCommandsMemory,
  DiscordGuildsMemory,
  DiscordMessagesMemory,
  DiscordRolesMemory,
  DiscordRolesMemoryControl,
  type DiscordRolesMemoryControlService
} from "../adapters/memory/index.js"
import { PgServerClient } from "../adapters/postgres/index.js"
import {
  BotLinks,
  DiscordRoles,
  GuildId,
  JobWorker,
  PaymentSetup,
  PlanKey,
  RoleId,
  Tenancy,
  type TenantId,
  UserId
} from "../core/index.js"
import { CoreLive } from "../programs/Core.js"
import { MigratedDatabaseLive } from "../programs/Database.js"
import { GuildInstallsLive } from "../programs/GuildInstalls.js"
import { PaymentGatewaysLive, WebhookVerifiersLive } from "../programs/Payments.js"
import { botLinksOf, JobSettings } from "../programs/Settings.js"
import { benchDatabaseUrl, benchSchema, percentile, positiveInt, withSearchPath } from "./support.js"
import type { HealthResult, SenderCommand, SenderReply, SendResult } from "./webhookSenders.js"
import { memberOf, post, snowflake, subscriptionActive, type TrafficTenant } from "./webhookTraffic.js"
import { removeScriptRows, webhookTransactionScript } from "./webhookTransaction.js"

const BenchSettings = Config.all({
  seconds: positiveInt("BENCH_SECONDS", 10),
  concurrency: Config.string("BENCH_CONCURRENCY").pipe(
    Config.withDefault("1,8,32"),
    Config.map((levels) => levels.split(",").map((level) => Number(level.trim()))),
    Config.validate({
      message: "BENCH_CONCURRENCY must be positive integers separated by commas",
      validation: (levels) => levels.every((level) => Number.isInteger(level) && level > 0)
    })
  ),
  duplicatePercent: Config.integer("BENCH_DUPLICATE_PERCENT").pipe(
    Config.withDefault(20),
    Config.validate({ message: "BENCH_DUPLICATE_PERCENT must be 0 to 99", validation: (n) => n >= 0 && n < 100 })
  ),
  tenants: positiveInt("BENCH_TENANTS", 8),
  payments: positiveInt("BENCH_PAYMENTS", 200),
  paymentIntervalMs: positiveInt("BENCH_PAYMENT_INTERVAL_MS", 50),
  workerDuringAck: Config.boolean("BENCH_WORKER_DURING_ACK").pipe(Config.withDefault(false)),
  cpuProfile: Config.option(Config.string("BENCH_CPU_PROFILE")),
  databaseUrl: benchDatabaseUrl
})
type BenchSettings = Config.Config.Success<typeof BenchSettings>

/** Requests before the measured ones, so JIT and pool warm-up stay out of the first level. */
const warmupRequests = 300
/** How long the worker may take to work off the ACK phase's backlog before the run fails. */
const drainTimeoutMs = 300_000
/** How long the last payment's grant may take before the run fails. */
const grantTimeoutMs = 30_000

const log = (line: string) => Effect.sync(() => process.stderr.write(`[webhooks] ${line}\n`))
const roundTo = (digits: number) => (value: number) => Number(value.toFixed(digits))
const formatCount = (value: number) => value.toLocaleString("en-US")
const loadAverage = () => loadavg()[0]!.toFixed(1)

// ---------------------------------------------------------------- the grants, timestamped

const grantKey = (guildId: string, userId: string, roleId: string) => `${guildId}/${userId}/${roleId}`

/** When each role was granted (performance.now()), by grantKey, and waiters for grants still to come. */
class GrantTimes extends Context.Tag("bench/GrantTimes")<GrantTimes, {
  readonly at: Map<string, number>
  readonly waiters: Map<string, (at: number) => void>
}>() {}

/** DiscordRolesMemory, whose grants are timestamped as they take effect. */
const DiscordRolesTimed = Layer.effectContext(
  Effect.gen(function*() {
    const inner = yield* DiscordRoles
    const control = yield* DiscordRolesMemoryControl
    const times = { at: new Map<string, number>(), waiters: new Map<string, (at: number) => void>() }
    const timed = DiscordRoles.of({
      ...inner,
      grant: (change) =>
        Effect.tap(inner.grant(change), () =>
          Effect.sync(() => {
            const at = performance.now()
            const key = grantKey(change.guildId, change.userId, change.roleId)
            times.at.set(key, at)
            times.waiters.get(key)?.(at)
            times.waiters.delete(key)
          }))
    })
    return Context.make(DiscordRoles, timed).pipe(
      Context.add(DiscordRolesMemoryControl, control),
      Context.add(GrantTimes, times)
    )
  })
).pipe(Layer.provide(DiscordRolesMemory))

// ---------------------------------------------------------------- the server

/**
 * The runner's composition (programs/Runner.ts and programs/Application.ts)
 * with DiscordRolesTimed for DiscordRolesOffline and without the worker and
 * the boot announcements; DATABASE_URL comes from `databaseUrl`, every other
 * setting from this process's environment.
 */
const serverLayer = (databaseUrl: Redacted.Redacted) => {
  const { DATABASE_URL: _url, GUILDHALL_DATA_DIR: _dataDir, ...environment } = process.env
  const settings = Object.entries({ ...environment, DATABASE_URL: Redacted.value(databaseUrl) }).filter(
    (entry): entry is [string, string] => entry[1] !== undefined
  )
  const ApplicationLive = CoreLive.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        MigratedDatabaseLive,
        PaymentGatewaysLive,
        DiscordRolesTimed,
        DiscordCommandsMemory,
        DiscordMessagesMemory,
        DiscordGuildsMemory,
        Layer.succeed(BotLinks, botLinksOf("http://127.0.0.1"))
      )
    )
  )
  const AppLive = Layer.mergeAll(
    WebhookVerifiersLive,
    Layer.succeed(PublicUrl, "http://127.0.0.1"),
    GuildInstallsLive("hosted")
  ).pipe(
    Layer.provideMerge(ApplicationLive)
  )
  return HttpServerLive().pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
    Layer.provideMerge(AppLive),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(settings))))
  )
}

// ---------------------------------------------------------------- the senders

interface BenchTenant extends TrafficTenant {
  readonly id: TenantId
  readonly guildId: GuildId
  readonly roleId: RoleId
}

/**
 * The sender process (bench/webhookSenders.ts): signing and the HTTP client run there, so this process's
 * CPU is the server's alone. `ask` sends one command and waits for its answer; commands go one at a time.
 */
const senderProcess = Effect.acquireRelease(
  Effect.sync(() => {
    const child = fork(fileURLToPath(new URL("./webhookSenders.ts", import.meta.url)), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    const ask = <A>(command: SenderCommand) =>
      Effect.async<A, Error>((resume) => {
        const onExit = (code: number | null) => resume(Effect.fail(new Error(`the sender process exited (${code})`)))
        child.once("exit", onExit)
        child.once("message", (reply: SenderReply) => {
          child.off("exit", onExit)
          resume(reply.ok ? Effect.succeed(reply.result as A) : Effect.fail(new Error(reply.message)))
        })
        child.send(command)
      })
    return { child, ask }
  }),
  ({ child }) => Effect.sync(() => child.connected && child.disconnect())
)

interface LevelResult {
  readonly concurrency: number
  readonly webhooksPerSec: number
  readonly requests: number
  readonly duplicates: number
  readonly ackP50Ms: number
  readonly ackP99Ms: number
  readonly cpuMsPerRequest: number
  readonly senderCpuMsPerRequest: number
  readonly postgresCpuMsPerRequest: number | null
  readonly pgbenchTps: number | null
  readonly ratio: number | null
  /** pgbench running the webhook's own transaction: the most any server could acknowledge here. */
  readonly pgbenchWebhookTps: number | null
  readonly webhookToInsert: number | null
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const procTicksPerSecond = 100

/**
 * The CPU time of each process named postgres on this machine, in ticks by pid, from /proc (user and system
 * time, not children's). Null where there is no /proc, or when the server is elsewhere (no such process).
 */
const postgresCpuTicks = (): ReadonlyMap<string, number> | null => {
  try {
    const ticks = new Map<string, number>()
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue
      let stat: string
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8")
      } catch {
        continue // the process ended meanwhile
      }
      if (!stat.includes(" (postgres) ")) continue
      // Fields after the command: state is the 3rd field, utime the 14th and stime the 15th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      ticks.set(pid, Number(fields[11]) + Number(fields[12]))
    }
    return ticks.size > 0 ? ticks : null
  } catch {
    return null
  }
}

/**
 * Postgres's CPU between two readings, in ms: what each process still alive at the end spent since the
 * first (all of it, for one started meanwhile). A process that ended meanwhile (an autovacuum worker)
 * is missed, so this is a lower bound.
 */
const postgresCpuMsBetween = (
  before: ReadonlyMap<string, number> | null,
  after: ReadonlyMap<string, number> | null
) => {
  if (before === null || after === null) return null
  let ticks = 0
  for (const [pid, spent] of after) ticks += spent - (before.get(pid) ?? 0)
  return (ticks * 1000) / procTicksPerSecond
}

/** Runs `effect` and measures this process's CPU meanwhile, and the Postgres server's when it is local, in ms. */
const withCpu = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(
    Effect.sync(() => ({ process: process.cpuUsage(), postgres: postgresCpuTicks() })),
    (started) =>
      Effect.map(effect, (result) => {
        const cpu = process.cpuUsage(started.process)
        return {
          result,
          cpuMs: (cpu.user + cpu.system) / 1000,
          postgresCpuMs: postgresCpuMsBetween(started.postgres, postgresCpuTicks())
        }
      })
  )

/**
 * With BENCH_CPU_PROFILE set, a V8 CPU profile of this (the server's) process over the ACK levels only,
 * written there (open it in Chrome DevTools or speedscope).
 */
const cpuProfiler = (path: Option.Option<string>) =>
  Option.match(path, {
    onNone: () => Effect.succeed({ stop: Effect.void }),
    onSome: (file) =>
      Effect.promise(async () => {
        const session = new InspectorSession()
        session.connect()
        await session.post("Profiler.enable")
        await session.post("Profiler.setSamplingInterval", { interval: 200 })
        await session.post("Profiler.start")
        return {
          stop: Effect.promise(async () => {
            const { profile } = await session.post("Profiler.stop")
            writeFileSync(file, JSON.stringify(profile))
            session.disconnect()
            process.stderr.write(`[webhooks] CPU profile of the ACK levels written to ${file}\n`)
          })
        }
      })
  })

// ---------------------------------------------------------------- pgbench

/**
 * pgbench's two scripts: one row inserted into a scratch table of the bench
 * schema per transaction, and the webhook's own transaction
 * (bench/webhookTransaction.ts) for `tenant`.
 */
const pgbenchScripts = (schema: string, tenant: BenchTenant) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const admin = yield* PgClient.PgClient
      yield* admin`
        CREATE TABLE ${admin(schema)}.pgbench_inserts (
          id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now()
        )
      `
      const dir = mkdtempSync(join(tmpdir(), "guildhall-bench-pgbench-"))
      const insert = join(dir, "insert.sql")
      writeFileSync(insert, `INSERT INTO ${schema}.pgbench_inserts (payload) VALUES ('subscription.active');\n`)
      const webhook = join(dir, "webhook.sql")
      writeFileSync(webhook, webhookTransactionScript(schema, tenant))
      return { dir, insert, webhook }
    }),
    ({ dir }) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

/** Takes out what the webhook script wrote, so the job worker never sees its jobs. */
const removePgbenchWebhooks = (schema: string) =>
  Effect.flatMap(
    PgClient.PgClient,
    (admin) => Effect.forEach(removeScriptRows(schema), (statement) => admin.unsafe(statement), { discard: true })
  )

/** `protocol`: "simple" (pgbench's default), or "prepared", as the server sends its statements (ADR 087). */
const pgbench = (
  url: Redacted.Redacted,
  script: string,
  protocol: "simple" | "prepared",
  clients: number,
  seconds: number
) =>
  Effect.async<number, Error>((resume) => {
    const child = execFile(
      "pgbench",
      ["-n", "-M", protocol, "-c", String(clients), "-j", String(clients), "-T", String(seconds), "-f", script]
        .concat(Redacted.value(url)),
      (error, stdout, stderr) => {
        const tps = /tps = ([\d.]+)/.exec(stdout)
        if (error !== null || tps === null) {
          resume(Effect.fail(new Error(`pgbench failed: ${error?.message ?? ""} ${stderr.trim()}`)))
        } else resume(Effect.succeed(Number(tps[1])))
      }
    )
    return Effect.sync(() => child.kill("SIGINT"))
  })

// ---------------------------------------------------------------- the run

const setUpTenants = (count: number) =>
  Effect.gen(function*() {
    const tenancy = yield* Tenancy
    const setup = yield* PaymentSetup
    return yield* Effect.forEach(Array.from({ length: count }, (_, i) => i), (i) =>
      Effect.gen(function*() {
        const tenant = yield* tenancy.createTenant({
          name: `Bench tenant ${i + 1}`,
          planKey: PlanKey.make("enterprise")
        })
        const guildId = GuildId.make(snowflake("1", i))
        yield* tenancy.installGuild({
          tenantId: tenant.id,
          guildId,
          name: `Bench guild ${i + 1}`,
          ownerId: UserId.make(snowflake("2", i))
        })
        const secret = `polar_whs_bench_${i}_${tenant.id}`
        yield* setup.configurePolar(tenant.id, {
          accessToken: Redacted.make(`polar_oat_bench_${i}`),
          webhookSecret: Redacted.make(secret)
        })
        return { id: tenant.id, guildId, roleId: RoleId.make(snowflake("4", i)), secret } satisfies BenchTenant
      }))
  })

/**
 * Members must exist in the fake guilds for a grant to take effect: members `from` to `to` (excluded)
 * join theirs, before any of their events is sent.
 */
const addMembers = (
  control: DiscordRolesMemoryControlService,
  tenants: ReadonlyArray<BenchTenant>,
  from: number,
  to: number
) =>
  Effect.forEach(Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i), (member) => {
    const { tenant, userId } = memberOf(tenants, member)
    return control.addMember(tenant.guildId as GuildId, UserId.make(userId))
  }, { discard: true })

const keyOfMember = (tenants: ReadonlyArray<BenchTenant>, member: number) => {
  const { tenant, userId } = memberOf(tenants, member)
  return grantKey(tenant.guildId, userId, tenant.roleId)
}

/** New members a level may use per second of it: above the HTTP stack's own rate on this machine. */
const membersPerSecondBudget = 5_000

const measure = (settings: BenchSettings, schema: string, port: number) =>
  Effect.gen(function*() {
    const times = yield* GrantTimes
    const tenants = yield* setUpTenants(settings.tenants)
    const control = yield* DiscordRolesMemoryControl
    const senders = yield* senderProcess
    yield* senders.ask({ kind: "init", port, tenants, duplicateShare: settings.duplicatePercent / 100 })
    // Every member joins their guild before their event is sent, so every grant takes effect.
    let members = 0
    let joined = 0
    const joinUpTo = (limit: number) =>
      Effect.map(addMembers(control, tenants, joined, limit), () => void (joined = Math.max(joined, limit)))
    const acknowledged: Array<number> = []
    const jobSettings = yield* JobSettings
    const startWorker = Effect.forkScoped(
      JobWorker.run({ concurrency: jobSettings.concurrency, pollInterval: jobSettings.pollInterval })
    )
    const workerDuringAck = settings.workerDuringAck ? Option.some(yield* startWorker) : Option.none()
    const scripts = yield* pgbenchScripts(schema, tenants[0]!)
    const durationMs = settings.seconds * 1000

    yield* log(`server on 127.0.0.1:${port}; ${settings.tenants} tenants with Polar configured; warming up`)
    yield* joinUpTo(warmupRequests + 8)
    members = (yield* senders.ask<{ members: number }>({ kind: "warmup", requests: warmupRequests })).members

    const healthRun = yield* withCpu(
      senders.ask<HealthResult>({ kind: "health", concurrency: 8, durationMs: durationMs / 2 })
    )
    const health = {
      concurrency: 8,
      requestsPerSec: Math.round((healthRun.result.requests * 1000) / healthRun.result.elapsedMs),
      cpuMsPerRequest: roundTo(2)(healthRun.cpuMs / healthRun.result.requests)
    }
    yield* Effect.sync(() =>
      console.log(
        `HTTP stack alone (GET /health/live, 8 senders, ${settings.seconds / 2} s): ` +
          `${
            formatCount(health.requestsPerSec)
          } requests/s, ${health.cpuMsPerRequest} ms CPU of the server's process per request`
      )
    )

    const levels: Array<LevelResult> = []
    const profiler = yield* cpuProfiler(settings.cpuProfile)
    for (const concurrency of settings.concurrency) {
      const memberLimit = members + membersPerSecondBudget * settings.seconds
      yield* joinUpTo(memberLimit)
      const run = yield* withCpu(senders.ask<SendResult>({ kind: "send", concurrency, durationMs, memberLimit }))
      members = run.result.members
      acknowledged.push(...run.result.acknowledgedMembers)
      const ours = {
        requests: run.result.requests,
        duplicates: run.result.duplicates,
        webhooksPerSec: Math.round((run.result.requests * 1000) / run.result.elapsedMs),
        ackP50Ms: run.result.ackP50Ms,
        ackP99Ms: run.result.ackP99Ms,
        // The server's process alone: what is ours, whatever else loads the machine.
        cpuMsPerRequest: roundTo(2)(run.cpuMs / run.result.requests),
        senderCpuMsPerRequest: run.result.senderCpuMsPerRequest,
        // Postgres's processes, when they run on this machine: the database's share of a webhook.
        postgresCpuMsPerRequest: run.postgresCpuMs === null ? null : roundTo(2)(run.postgresCpuMs / run.result.requests)
      }
      const tpsOf = (script: string, protocol: "simple" | "prepared") =>
        pgbench(settings.databaseUrl, script, protocol, concurrency, settings.seconds).pipe(
          Effect.tapError((error) => log(error.message)),
          Effect.option,
          Effect.map(Option.getOrNull)
        )
      const tps = yield* tpsOf(scripts.insert, "simple")
      const webhookTps = yield* tpsOf(scripts.webhook, "prepared")
      yield* removePgbenchWebhooks(schema)
      const level = {
        concurrency,
        ...ours,
        pgbenchTps: tps === null ? null : Math.round(tps),
        ratio: tps === null ? null : roundTo(2)(ours.webhooksPerSec / tps),
        pgbenchWebhookTps: webhookTps === null ? null : Math.round(webhookTps),
        webhookToInsert: tps === null || webhookTps === null ? null : roundTo(2)(webhookTps / tps)
      }
      levels.push(level)
      yield* Effect.sync(() =>
        console.log(
          `${String(concurrency).padStart(2)} senders: ${formatCount(level.webhooksPerSec)} webhooks/s ` +
            `(${formatCount(level.requests)} requests, ${formatCount(level.duplicates)} duplicates), ` +
            `ACK p50 ${level.ackP50Ms} ms, p99 ${level.ackP99Ms} ms, ` +
            `${level.cpuMsPerRequest} ms CPU of the server's process per request ` +
            `(senders' process ${level.senderCpuMsPerRequest} ms, Postgres ${
              level.postgresCpuMsPerRequest ?? "n/a"
            } ms); pgbench INSERT ${
              tps === null ? "n/a" : `${formatCount(Math.round(tps))} tps, ratio ${level.ratio}`
            }; pgbench webhook transaction ${
              level.pgbenchWebhookTps === null
                ? "n/a"
                : `${formatCount(level.pgbenchWebhookTps)} tps (${level.webhookToInsert} of INSERT)`
            }; load ${loadAverage()}`
        )
      )
    }

    yield* profiler.stop

    // Phase 2: the worker works off what the ACK phase enqueued (what is left of it, if it ran meanwhile).
    const backlog = acknowledged.length + warmupRequests
    const drainStarted = performance.now()
    const worker = Option.isSome(workerDuringAck) ? workerDuringAck.value : yield* startWorker
    const acknowledgedKeys = acknowledged.map((member) => keyOfMember(tenants, member))
    yield* Effect.promise(async () => {
      while (acknowledgedKeys.some((key) => !times.at.has(key))) {
        if (performance.now() - drainStarted > drainTimeoutMs) throw new Error("the backlog was not drained in time")
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })
    const drainSeconds = (performance.now() - drainStarted) / 1000
    // A worker that ran during the ACK phase may have left (almost) nothing: no rate to speak of then.
    const keptUp = drainSeconds < 0.5
    const drain = {
      grants: acknowledgedKeys.length,
      seconds: roundTo(1)(drainSeconds),
      grantsPerSec: keptUp ? null : Math.round(acknowledgedKeys.length / drainSeconds)
    }
    yield* Effect.sync(() =>
      console.log(
        `worker (concurrency ${jobSettings.concurrency}, poll ${Duration.toMillis(jobSettings.pollInterval)} ms${
          settings.workerDuringAck ? ", running during the ACK phase" : ""
        }): ` + (keptUp
          ? `all ${formatCount(drain.grants)} grants of the ACK phase done ${drain.seconds} s after it ended`
          : `drained ${formatCount(drain.grants)} grants of the ACK phase (~${
            formatCount(backlog)
          } events incl. warm-up) in ${drain.seconds} s, ${formatCount(drain.grantsPerSec ?? 0)} grants/s`)
      )
    )

    // Phase 3: payment -> role granted, paced, with the worker running.
    // Paced, a few at a time: sent from this process, where the grants are timed.
    yield* joinUpTo(members + settings.payments)
    const payments = Array.from({ length: settings.payments }, (_, i) => subscriptionActive(tenants, members + i))
    const grantLatencies = yield* Effect.promise(async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 4 })
      const waits = payments.map(async (event, index) => {
        await new Promise((resolve) => setTimeout(resolve, index * settings.paymentIntervalMs))
        const key = keyOfMember(tenants, event.member)
        const granted = new Promise<number>((resolve, reject) => {
          times.waiters.set(key, resolve)
          setTimeout(() => reject(new Error(`no grant for ${event.webhookId}`)), grantTimeoutMs).unref()
        })
        const sent = performance.now()
        const response = await post(agent, port, event)
        if (response.status !== 200) throw new Error(`${event.webhookId}: ${response.status} ${response.body}`)
        return (await granted) - sent
      })
      const latencies = await Promise.all(waits)
      agent.destroy()
      return Float64Array.from(latencies).sort()
    })
    yield* Fiber.interrupt(worker)
    const grant = {
      payments: settings.payments,
      intervalMs: settings.paymentIntervalMs,
      p50Ms: roundTo(1)(percentile(grantLatencies, 0.5)),
      p99Ms: roundTo(1)(percentile(grantLatencies, 0.99))
    }
    yield* Effect.sync(() =>
      console.log(
        `payment -> role granted: ${grant.payments} payments, one every ${grant.intervalMs} ms: ` +
          `p50 ${grant.p50Ms} ms, p99 ${grant.p99Ms} ms`
      )
    )
    return { health, levels, drain, grant, jobs: jobSettings }
  })

const describeFailure = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.squash(cause)
  if (!(failure instanceof Error)) return String(failure)
  return failure.cause instanceof Error ? `${failure.message}: ${failure.cause.message}` : failure.message
}

const targets = { ackP99MsAt8: 25, pgbenchRatio: 0.5 }

const program = Effect.gen(function*() {
  const settings = yield* BenchSettings
  yield* Effect.sync(() =>
    console.log(
      [
        `Webhooks bench: signed Polar subscription.active webhooks over HTTP, ${settings.seconds} s per level at ` +
        `${settings.concurrency.join(", ")} concurrent senders, ${settings.duplicatePercent}% exact re-deliveries, ` +
        `${settings.tenants} tenants.`,
        "Path: HttpServerLive on NodeHttpServer (127.0.0.1) -> PolarWebhook.verify -> Billing.ingest -> " +
        "BillingLedgerSql.record (receipt, subscription, jobs in one transaction), the runner's composition on a " +
        "fresh schema of the Postgres server; DiscordRolesMemory (timestamped) instead of DiscordRolesOffline.",
        (settings.workerDuringAck
          ? "ACK phase: the job worker runs meanwhile, as in the runner (BENCH_WORKER_DURING_ACK), competing for " +
            "the CPUs and the pool. "
          : "ACK phase: the job worker is off (it would compete for the CPUs and the pool); jobs accumulate and are " +
            "drained afterwards (BENCH_WORKER_DURING_ACK=true runs it meanwhile). ") +
        "pgbench: as many clients, as long, one single-row INSERT per transaction, same server; then the " +
        "webhook's own transaction (bench/webhookTransaction.ts), the most any server could acknowledge here.",
        `Targets: ACK p99 < ${targets.ackP99MsAt8} ms at 8 senders; at least ${targets.pgbenchRatio} of pgbench's rate.`,
        `Senders, server and Postgres share this machine: load average ${loadAverage()} on ${availableParallelism()} CPUs.`
      ].join("\n")
    )
  )
  const result = yield* Effect.gen(function*() {
    const schema = yield* benchSchema(log)
    return yield* Effect.gen(function*() {
      const { address } = yield* HttpServer.HttpServer
      if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("the server is not listening on TCP")
      return yield* measure(settings, schema, address.port)
    }).pipe(Effect.scoped, Effect.provide(serverLayer(withSearchPath(settings.databaseUrl, schema))))
  }).pipe(Effect.scoped, Effect.provide(PgServerClient.layer({ url: settings.databaseUrl, maxConnections: 1 })))
  yield* Effect.sync(() => report(settings, result))
})

type Measured = Effect.Effect.Success<ReturnType<typeof measure>>

const report = (settings: BenchSettings, result: Measured) => {
  const at8 = result.levels.find((level) => level.concurrency === 8)
  const ratios = result.levels.flatMap((level) => (level.ratio === null ? [] : [level.ratio]))
  const met = {
    ackP99At8: at8 === undefined ? null : at8.ackP99Ms < targets.ackP99MsAt8,
    halfOfPgbench: ratios.length === 0 ? null : ratios.every((ratio) => ratio >= targets.pgbenchRatio)
  }
  console.log(
    `targets: ACK p99 at 8 senders < ${targets.ackP99MsAt8} ms: ${met.ackP99At8}; ` +
      `>= ${targets.pgbenchRatio} of pgbench at every level: ${met.halfOfPgbench}; load average now ${loadAverage()}`
  )
  // What pgbench itself reaches with the webhook's transaction bounds what any server could (see the header).
  console.log(
    `pgbench running the webhook transaction, as a share of its INSERT rate: ${
      result.levels.map((level) => `${level.webhookToInsert ?? "n/a"} at ${level.concurrency}`).join(", ")
    }`
  )
  console.log(JSON.stringify({
    bench: "webhooks",
    seconds: settings.seconds,
    duplicatePercent: settings.duplicatePercent,
    tenants: settings.tenants,
    workerDuringAck: settings.workerDuringAck,
    levels: result.levels,
    httpStackAlone: result.health,
    drain: result.drain,
    paymentToRole: result.grant,
    jobWorker: { concurrency: result.jobs.concurrency, pollIntervalMs: Duration.toMillis(result.jobs.pollInterval) },
    targets,
    met,
    cpus: availableParallelism(),
    loadAverage: Number(loadAverage())
  }))
}

NodeRuntime.runMain(
  program.pipe(
    Effect.catchAllCause((cause) =>
      Effect.sync(() => {
        console.log(JSON.stringify({ bench: "webhooks", error: describeFailure(cause) }))
        process.exitCode = 1
      })
    ),
    Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
    Logger.withMinimumLogLevel(LogLevel.Warning)
  )
)
