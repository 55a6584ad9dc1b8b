/**
 * The quota half of the guardrail benchmark: consume throughput on the
 * Postgres server, and the overshoot count, which must be 0.
 *
 *   npm run bench:quotas
 *   BENCH_QUOTA_SECONDS=3 npm run bench:quotas   # a quick run
 *
 * Three runs, each through the production path (the Quotas service over
 * QuotaStoreSql on a pool of the server, migrated by MigrationsLive), each on
 * counters of its own, each for BENCH_QUOTA_SECONDS (10):
 * - hot1: one client charging one hot counter;
 * - hot32: 32 concurrent clients charging that one hot counter;
 * - spread32: 32 concurrent clients charging 1,000 counters (one per guild) at random.
 * Before each run, a one-second calibration of the same shape (on counters of
 * its own, unlimited; it also warms the pool and the JIT) measures the rate,
 * and the run's limits are set to half of what that rate would grant: the
 * counters fill up midway, about half of the requests are denied, and an
 * overshoot would show. Then every counter is read back: overshoot is the
 * units counted beyond a limit, lost updates the difference between the units
 * counted and the units the clients were granted. Both must be 0.
 *
 * The meters are lifetime meters so no run straddles a window boundary (a
 * minute meter would start a fresh counter mid-run); the statements are the
 * same for every window.
 *
 * The server comes from BENCH_DATABASE_URL and gets a fresh schema, dropped at
 * the end. Progress goes to stderr; stdout gets human-readable lines, then ONE
 * final JSON line (bench/guardrail.ts runs this file and merges that line).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Config, DateTime, Effect, Layer, Logger, LogLevel } from "effect"
import { randomUUID } from "node:crypto"
import { NodeCrypto } from "../adapters/crypto/index.js"
import { MigrationsLive, PgServerClient, QuotaStoreSql, TenantRepoSql } from "../adapters/postgres/index.js"
import {
  GuildId,
  type Meter,
  PlanKey,
  type PlanLimits,
  type QuotaContext,
  Quotas,
  Tenant,
  TenantId,
  TenantRepo
} from "../core/index.js"
import { benchDatabaseUrl, benchSchema, percentile, positiveInt, withSearchPath } from "./support.js"

const clients = 32
const spreadCounters = 1_000

const BenchSettings = Config.all({
  seconds: positiveInt("BENCH_QUOTA_SECONDS", 10),
  databaseUrl: benchDatabaseUrl
})

/** Plan limits are not read: every bench meter has a fixed limit. */
const noLimits: PlanLimits = { maxGuilds: 0, commandsPerMinute: 0, aiTokensPerDay: 0, maxPaidRoles: 0 }

const calibrationMs = 1_000

// ---------------------------------------------------------------- the database

const log = (line: string) => Effect.sync(() => process.stderr.write(`[quotas] ${line}\n`))

/** One pooled connection per client (and one spare for reading back). */
const BenchLive = Layer.unwrapEffect(Effect.map(BenchSettings, (settings) =>
  Quotas.layer.pipe(
    Layer.provideMerge(Layer.mergeAll(QuotaStoreSql, TenantRepoSql, NodeCrypto)),
    Layer.provide(MigrationsLive),
    Layer.provideMerge(
      Layer.unwrapScoped(
        Effect.map(benchSchema(log), (schema) =>
          PgServerClient.layer({
            url: withSearchPath(settings.databaseUrl, schema),
            maxConnections: clients + 1,
            applicationName: "guildhall-bench-quotas"
          }))
      ).pipe(Layer.provide(PgServerClient.layer({ url: settings.databaseUrl, maxConnections: 1 })))
    )
  )))

// ---------------------------------------------------------------- the runs

interface Counter {
  readonly meter: Meter
  readonly context: QuotaContext
}

interface RunResult {
  readonly ops: number
  readonly opsPerSec: number
  readonly granted: number
  readonly denied: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly overshoot: number
  readonly lostUpdates: number
}

const guildIdOf = (index: number) => GuildId.make(`1${String(index).padStart(17, "0")}`)

/** mulberry32: a tiny seeded PRNG, so every run charges the same counters in the same order. */
const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}

const round = (value: number, digits: number) => Number(value.toFixed(digits))

/** Counters of one run: `count` guilds, each a lifetime meter with `limit`. */
const countersOf = (tenantId: TenantId, run: string, count: number, limit: number): ReadonlyArray<Counter> =>
  Array.from({ length: count }, (_, index) => ({
    meter: { key: `bench_${run}`, window: "lifetime", scope: "guild", limit },
    context: { tenantId, guildId: guildIdOf(index), userId: null }
  }))

/**
 * `concurrency` clients sending requests of one unit for `durationMs`, each
 * on the counter `pick` chooses. Then every counter is read back and compared
 * with its limit and with what was granted on it.
 */
const measure = (
  name: string,
  counters: ReadonlyArray<Counter>,
  durationMs: number,
  concurrency: number,
  pick: () => number
) =>
  Effect.gen(function*() {
    const quotas = yield* Quotas
    const grantedOn = new Array<number>(counters.length).fill(0)
    const latenciesMs: Array<number> = []
    let denied = 0
    const deadline = performance.now() + durationMs
    const client = Effect.whileLoop({
      while: () => performance.now() < deadline,
      body: () =>
        Effect.suspend(() => {
          const counter = pick()
          const { context, meter } = counters[counter]!
          const started = performance.now()
          const key = `${name}-${latenciesMs.length}-${started}`
          return Effect.map(quotas.consume([{ meter, amount: 1 }], context, noLimits, key), (result) => {
            latenciesMs.push(performance.now() - started)
            if (result._tag === "Granted") grantedOn[counter]!++
            else denied++
          })
        }),
      step: () => {}
    })
    const started = performance.now()
    yield* Effect.all(Array.from({ length: concurrency }, () => client), { concurrency: "unbounded", discard: true })
    const elapsedMs = performance.now() - started

    const used = yield* Effect.forEach(counters, ({ context, meter }) => quotas.used(meter, context), {
      concurrency: 8
    })
    const limitOf = (counter: Counter) => counter.meter.limit as number
    const sorted = Float64Array.from(latenciesMs).sort()
    return {
      ops: sorted.length,
      opsPerSec: Math.round((sorted.length * 1000) / elapsedMs),
      granted: grantedOn.reduce((a, b) => a + b, 0),
      denied,
      p50Ms: round(percentile(sorted, 0.5), 3),
      p99Ms: round(percentile(sorted, 0.99), 3),
      overshoot: used.reduce((sum, units, i) => sum + Math.max(0, units - limitOf(counters[i]!)), 0),
      lostUpdates: used.reduce((sum, units, i) => sum + Math.abs(units - grantedOn[i]!), 0)
    } satisfies RunResult
  })

const describe = (name: string, concurrency: number, counters: number, result: RunResult) =>
  `${name}: ${concurrency} client${concurrency === 1 ? "" : "s"} on ${counters.toLocaleString("en-US")} ` +
  `counter${counters === 1 ? "" : "s"}: ${result.opsPerSec.toLocaleString("en-US")} consumes/s ` +
  `(${result.ops.toLocaleString("en-US")} requests, ${result.granted.toLocaleString("en-US")} granted, ` +
  `${result.denied.toLocaleString("en-US")} denied; p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms), ` +
  `overshoot ${result.overshoot}, lost updates ${result.lostUpdates}`

const program = Effect.gen(function*() {
  const settings = yield* BenchSettings
  const tenantId = TenantId.make(randomUUID())
  yield* Effect.flatMap(TenantRepo, (tenants) =>
    tenants.insert(Tenant.make({
      id: tenantId,
      name: "Quota bench",
      mode: "hosted",
      status: "active",
      planKey: PlanKey.make("enterprise"),
      guildDefaults: {},
      createdAt: DateTime.unsafeMake(0)
    })))

  yield* Effect.sync(() =>
    console.log(
      "Quota bench on the Postgres server: Quotas.consume of 1 unit per request (the production path, one " +
        "transaction each), lifetime meters whose limits fill up midway (calibrated) so about half the requests " +
        "are denied."
    )
  )
  const random = seededRandom(0x5eed)
  const runs = [
    { name: "hot1", concurrency: 1, counters: 1 },
    { name: "hot32", concurrency: clients, counters: 1 },
    { name: "spread32", concurrency: clients, counters: spreadCounters }
  ] as const

  const results: Record<string, RunResult> = {}
  for (const run of runs) {
    const pick = run.counters === 1 ? () => 0 : () => Math.floor(random() * run.counters)
    const calibration = yield* measure(
      `${run.name}-calibration`,
      countersOf(tenantId, `${run.name}_calibration`, run.counters, -1),
      calibrationMs,
      run.concurrency,
      pick
    )
    const expectedOps = calibration.opsPerSec * settings.seconds
    const limit = Math.max(1, Math.floor(expectedOps / run.counters / 2))
    yield* log(
      `${run.name}: calibrated at ${calibration.opsPerSec}/s; ${settings.seconds} s with limit ${limit} per counter`
    )
    const result = yield* measure(
      run.name,
      countersOf(tenantId, run.name, run.counters, limit),
      settings.seconds * 1000,
      run.concurrency,
      pick
    )
    results[run.name] = result
    yield* Effect.sync(() => console.log(describe(run.name, run.concurrency, run.counters, result)))
  }
  const overshoot = Object.values(results).reduce((sum, result) => sum + result.overshoot, 0)
  const lostUpdates = Object.values(results).reduce((sum, result) => sum + result.lostUpdates, 0)
  yield* Effect.sync(() => {
    console.log(`overshoot: ${overshoot} (must be 0), lost updates: ${lostUpdates} (must be 0)`)
    console.log(JSON.stringify({ bench: "guardrail-quotas", ...results, overshoot, lostUpdates }))
    if (overshoot !== 0 || lostUpdates !== 0) process.exitCode = 1
  })
})

const describeFailure = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.squash(cause)
  if (!(failure instanceof Error)) return String(failure)
  return failure.cause instanceof Error ? `${failure.message}: ${failure.cause.message}` : failure.message
}

program.pipe(
  Effect.provide(BenchLive),
  // The final line stays JSON even when the run fails, so a parent bench can merge it.
  Effect.catchAllCause((cause) =>
    Effect.sync(() => {
      console.log(JSON.stringify({ bench: "guardrail-quotas", error: describeFailure(cause) }))
      process.exitCode = 1
    })
  ),
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
  Logger.withMinimumLogLevel(LogLevel.Warning),
  NodeRuntime.runMain
)
