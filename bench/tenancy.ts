/**
 * The tenancy benchmark: installs BENCH_GUILDS guilds (100,000) across
 * BENCH_TENANTS tenants (1,000) on the Postgres server and on PGlite, then
 * resolves random guilds by id, and reports inserts/s, lookups/s with p50/p99
 * latency, and the peak RSS of the process that measured each store.
 *
 *   npm run bench:tenancy
 *   BENCH_GUILDS=10000 BENCH_TENANTS=100 npm run bench:tenancy   # a quick run
 *
 * Everything goes through the production path: the Tenancy service of
 * ApplicationLive (CoreLive over MigratedDatabaseLive), composed as the runners boot it, with
 * DATABASE_URL or GUILDHALL_DATA_DIR set for the store under test. The server
 * comes from BENCH_DATABASE_URL and gets a fresh schema, dropped at the end;
 * PGlite persists to a temporary directory, removed at the end.
 *
 * Without arguments this is the parent: it measures each store in a child
 * process of its own (`--store postgres|pglite`), so a child's peak RSS is its
 * store's alone, and ends with one JSON line holding every child's result.
 * Children write progress to stderr and their result, one JSON line, to stdout.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Config, ConfigProvider, Effect, Layer, Logger, LogLevel, Option, Redacted } from "effect"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { PgServerClient } from "../adapters/postgres/index.js"
import { GuildId, PlanKey, Tenancy, type TenantId, UserId } from "../core/index.js"
import { ApplicationLive } from "../programs/Application.js"
import { benchDatabaseUrl, benchSchema, percentile, positiveInt, withSearchPath } from "./support.js"

const stores = ["postgres", "pglite"] as const
type Store = (typeof stores)[number]

interface StoreResult {
  readonly insertsPerSec: number
  readonly lookupsPerSec: number
  readonly lookupP50Ms: number
  readonly lookupP99Ms: number
  readonly peakRssMiB: number
}
type StoreOutcome = StoreResult | { readonly error: string }

const BenchSettings = Config.all({
  guilds: positiveInt("BENCH_GUILDS", 100_000),
  tenants: positiveInt("BENCH_TENANTS", 1_000),
  lookups: positiveInt("BENCH_LOOKUPS", 20_000),
  databaseUrl: benchDatabaseUrl
})
type BenchSettings = Config.Config.Success<typeof BenchSettings>

/**
 * Install fibers per store. The server takes modest concurrency, each fiber on
 * tenants of its own (installs of one tenant serialize on its row lock). PGlite
 * is one session behind a semaphore and runs on this thread, so more fibers
 * would only queue: it installs sequentially.
 */
const installConcurrency: Record<Store, number> = { postgres: 8, pglite: 1 }

/** Lookups before the measured ones, so JIT and connection warm-up stay out of the latencies. */
const warmupLookups = 1_000
const progressEvery = 10_000

/**
 * PGlite answers on the microtask queue, so a loop of its queries never lets
 * Node's event loop turn: no timers, no signals, Ctrl-C would wait for the
 * whole run. One macrotask turn every so often keeps the process interruptible.
 */
const eventLoopTurnEvery = 100
const letEventLoopTurn = Effect.async<void>((resume) => {
  setImmediate(() => resume(Effect.void))
})

/** Both children draw the same random guilds. */
const lookupSeed = 0x6d2b79f5

const benchFile = fileURLToPath(import.meta.url)

// ---------------------------------------------------------------- the data

/** Discord snowflakes are 17 to 20 digits: a fixed leading digit and the zero-padded index make 18. */
const snowflake = (prefix: "1" | "2", index: number): string => `${prefix}${String(index).padStart(17, "0")}`
const guildIdOf = (guildIndex: number) => GuildId.make(snowflake("1", guildIndex))
const ownerIdOf = (tenantIndex: number) => UserId.make(snowflake("2", tenantIndex))
/** Guilds are dealt to tenants round-robin, so every tenant has guilds / tenants of them. */
const tenantIndexOf = (guildIndex: number, settings: BenchSettings) => guildIndex % settings.tenants

/** mulberry32: a tiny seeded PRNG, so every run and both stores look up the same guilds. */
const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
}

// ---------------------------------------------------------------- the stores

const log = (store: Store, line: string) => Effect.sync(() => process.stderr.write(`[${store}] ${line}\n`))

/**
 * The application exactly as the runners boot it (programs/Runner.ts): CoreLive
 * over MigratedDatabaseLive, which picks and migrates the database from
 * DATABASE_URL / GUILDHALL_DATA_DIR. Those two come from `database`; every
 * other setting from this process's environment.
 */
const productionApp = (database: { readonly DATABASE_URL: string } | { readonly GUILDHALL_DATA_DIR: string }) => {
  const { DATABASE_URL: _url, GUILDHALL_DATA_DIR: _dataDir, ...environment } = process.env
  const settings = Object.entries({ ...environment, ...database }).filter(
    (entry): entry is [string, string] => entry[1] !== undefined
  )
  return ApplicationLive.pipe(
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(settings))))
  )
}

/** The server, in a fresh schema: every pooled connection's search_path points at it, as the server tests do. */
const postgresApp = (settings: BenchSettings) =>
  Layer.unwrapScoped(
    Effect.map(benchSchema((line) => log("postgres", line)), (schema) =>
      productionApp({ DATABASE_URL: Redacted.value(withSearchPath(settings.databaseUrl, schema)) }))
  ).pipe(Layer.provide(PgServerClient.layer({ url: settings.databaseUrl, maxConnections: 1 })))

/** PGlite persisted on disk, like the embedded default; PGlite closes before its directory is removed. */
const pgliteApp = Layer.unwrapScoped(
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), "guildhall-bench-pglite-"))),
      (dataDir) =>
        Effect.sync(() => rmSync(dataDir, { recursive: true, force: true })).pipe(
          Effect.zipRight(log("pglite", `removed ${dataDir}`))
        )
    ),
    (dataDir) =>
      productionApp({ GUILDHALL_DATA_DIR: dataDir }).pipe(Layer.tap(() => log("pglite", `data directory ${dataDir}`)))
  )
)

const storeApp = (store: Store) =>
  Layer.unwrapEffect(Effect.map(BenchSettings, (settings) => store === "postgres" ? postgresApp(settings) : pgliteApp))

// ---------------------------------------------------------------- the measurement

const perSecond = (count: number, elapsedMs: number) => Math.round((count * 1000) / elapsedMs)
const roundTo = (digits: number) => (value: number) => Number(value.toFixed(digits))
const formatCount = (value: number) => value.toLocaleString("en-US")

const measure = (store: Store) =>
  Effect.gen(function*() {
    const settings = yield* BenchSettings
    const tenancy = yield* Tenancy
    const concurrency = installConcurrency[store]

    const tenantsStarted = performance.now()
    const tenantIds: ReadonlyArray<TenantId> = yield* Effect.forEach(
      Array.from({ length: settings.tenants }, (_, index) => index),
      (index) =>
        Effect.map(
          tenancy.createTenant({ name: `Bench tenant ${index + 1}`, planKey: PlanKey.make("enterprise") }),
          (t) => t.id
        ),
      { concurrency }
    )
    yield* log(
      store,
      `created ${formatCount(settings.tenants)} enterprise tenants in ${
        ((performance.now() - tenantsStarted) / 1000).toFixed(1)
      } s`
    )

    // Each fiber owns the tenants with index % concurrency === fiber, so no two fibers wait on one tenant's lock.
    const guildsByFiber = Array.from({ length: concurrency }, () => [] as Array<number>)
    for (let guild = 0; guild < settings.guilds; guild++) {
      guildsByFiber[tenantIndexOf(guild, settings) % concurrency]!.push(guild)
    }

    let installed = 0
    const installsStarted = performance.now()
    // CPU time beside wall time tells this process's own cost per install from waiting (on the server, on other load).
    const installsCpuStarted = process.cpuUsage()
    const afterInstall = Effect.suspend(() => {
      installed++
      if (installed % progressEvery === 0 || installed === settings.guilds) {
        const elapsedMs = performance.now() - installsStarted
        const cpu = process.cpuUsage(installsCpuStarted)
        return Effect.zipRight(
          letEventLoopTurn,
          log(
            store,
            `installed ${formatCount(installed)}/${formatCount(settings.guilds)} guilds, ${
              (elapsedMs / 1000).toFixed(1)
            } s, ${formatCount(perSecond(installed, elapsedMs))}/s, CPU of this process ${
              ((cpu.user + cpu.system) / 1e6).toFixed(1)
            } s`
          )
        )
      }
      return installed % eventLoopTurnEvery === 0 ? letEventLoopTurn : Effect.void
    })
    const install = (guild: number) => {
      const tenantIndex = tenantIndexOf(guild, settings)
      return tenancy.installGuild({
        tenantId: tenantIds[tenantIndex]!,
        guildId: guildIdOf(guild),
        name: `Bench guild ${guild + 1}`,
        ownerId: ownerIdOf(tenantIndex)
      }).pipe(
        Effect.filterOrDieMessage((result) => result.outcome === "Installed", `guild ${guild} was not a new install`),
        Effect.zipRight(afterInstall)
      )
    }
    yield* Effect.forEach(guildsByFiber, (guilds) => Effect.forEach(guilds, install, { discard: true }), {
      concurrency,
      discard: true
    })
    const insertsPerSec = perSecond(settings.guilds, performance.now() - installsStarted)

    // The operator's cross-tenant view: the guild directory, then the owning tenant and its plan.
    const random = seededRandom(lookupSeed)
    const lookUpRandomGuild = Effect.suspend(() => {
      const guild = Math.floor(random() * settings.guilds)
      const expectedTenant = tenantIds[tenantIndexOf(guild, settings)]
      return tenancy.getAsset(guildIdOf(guild), Option.none()).pipe(
        Effect.filterOrDieMessage(
          (asset) => asset.guild.tenantId === expectedTenant,
          `guild ${guild} resolved to the wrong tenant`
        )
      )
    })
    yield* Effect.repeatN(lookUpRandomGuild, warmupLookups - 1)
    yield* log(
      store,
      `looking up ${formatCount(settings.lookups)} random guilds (after ${formatCount(warmupLookups)} warm-up)`
    )
    const latenciesMs = new Float64Array(settings.lookups)
    const lookupsStarted = performance.now()
    for (let lookup = 0; lookup < settings.lookups; lookup++) {
      const started = performance.now()
      yield* lookUpRandomGuild
      latenciesMs[lookup] = performance.now() - started
      if (lookup % eventLoopTurnEvery === 0) yield* letEventLoopTurn
    }
    const lookupsPerSec = perSecond(settings.lookups, performance.now() - lookupsStarted)
    latenciesMs.sort()

    return {
      insertsPerSec,
      lookupsPerSec,
      lookupP50Ms: roundTo(3)(percentile(latenciesMs, 0.5)),
      lookupP99Ms: roundTo(3)(percentile(latenciesMs, 0.99)),
      // maxRSS is in KiB and never decreases: this process's peak so far, i.e. of this store's run.
      peakRssMiB: roundTo(1)(process.resourceUsage().maxRSS / 1024)
    } satisfies StoreResult
  })

/** The failure's own message and, for a driver error, its cause's ("connect ECONNREFUSED ..."). */
const describeFailure = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.squash(cause)
  if (!(failure instanceof Error)) return String(failure)
  return failure.cause instanceof Error ? `${failure.message}: ${failure.cause.message}` : failure.message
}

const runChild = (store: Store) =>
  Effect.sync(() => {
    // runMain interrupts on the first SIGINT/SIGTERM, then unlistens; a second one (Ctrl-C reaches the whole
    // process group and the parent forwards it too) would kill this process before it dropped its schema.
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => {})
  }).pipe(
    Effect.zipRight(measure(store)),
    Effect.provide(storeApp(store)),
    Effect.catchAllCause((cause) => Effect.succeed<StoreOutcome>({ error: describeFailure(cause) })),
    Effect.tap((outcome) =>
      Effect.sync(() => {
        process.stdout.write(`${JSON.stringify(outcome)}\n`)
        if ("error" in outcome) process.exitCode = 1
      })
    ),
    // 100,000 "guild installed" info lines would measure the console, not the store; stdout carries only the result.
    Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
    Logger.withMinimumLogLevel(LogLevel.Warning)
  )

// ---------------------------------------------------------------- the parent

/** A child's last stdout line is its result; without one, its exit status is the error. */
const parseChildOutcome = (stdout: string, code: number | null, signal: NodeJS.Signals | null): StoreOutcome => {
  const lastLine = stdout.trim().split("\n").at(-1) ?? ""
  try {
    return JSON.parse(lastLine) as StoreOutcome
  } catch {
    return { error: `the child process ended (${signal ?? `exit code ${code}`}) without a result` }
  }
}

const measureInChild = (store: Store) =>
  Effect.async<StoreOutcome>((resume) => {
    const child = spawn(process.execPath, [...process.execArgv, benchFile, "--store", store], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let stdout = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.on("error", (error) => resume(Effect.succeed({ error: `could not start the child: ${error.message}` })))
    child.on("close", (code, signal) => resume(Effect.succeed(parseChildOutcome(stdout, code, signal))))
    // Interrupted (Ctrl-C): let the child drop its schema or directory before this process ends.
    return Effect.async<void>((closed) => {
      if (child.exitCode !== null || child.signalCode !== null) return closed(Effect.void)
      child.once("close", () => closed(Effect.void))
      child.kill("SIGINT")
    })
  })

const describeOutcome = (store: Store, outcome: StoreOutcome): string =>
  "error" in outcome
    ? `${store}: FAILED: ${outcome.error}`
    : `${store}: ${formatCount(outcome.insertsPerSec)} inserts/s, ${formatCount(outcome.lookupsPerSec)} lookups/s ` +
      `(p50 ${outcome.lookupP50Ms} ms, p99 ${outcome.lookupP99Ms} ms), peak RSS ${outcome.peakRssMiB} MiB`

/** The 1-minute load average of the machine. */
const loadAverage = () => loadavg()[0]!.toFixed(1)

const runParent = Effect.gen(function*() {
  const settings = yield* BenchSettings
  const started = performance.now()
  yield* Effect.sync(() =>
    console.log(
      [
        `Tenancy bench: ${formatCount(settings.guilds)} guilds across ${formatCount(settings.tenants)} tenants, ` +
        `then ${formatCount(settings.lookups)} random lookups (after ${formatCount(warmupLookups)} warm-up).`,
        "Path: the Tenancy service of CoreLive over MigratedDatabaseLive, as the runners boot it: " +
        "createTenant (plan enterprise), installGuild per guild, getAsset(guildId, Option.none()) per lookup.",
        `postgres: a fresh schema on the server, the production pool, ${installConcurrency.postgres} install fibers ` +
        "on disjoint tenants; lookups sequential.",
        "pglite: on disk in a temporary directory, one session: installs and lookups sequential.",
        "Each store runs in a child process of its own; peak RSS is that process's (the server's memory is not in it).",
        // Everything shares the machine's CPUs (the server too), so other load skews every number.
        `Load average ${loadAverage()} on ${availableParallelism()} CPUs.`
      ].join("\n")
    )
  )

  const outcomes: Partial<Record<Store, StoreOutcome>> = {}
  for (const store of stores) {
    const outcome = yield* measureInChild(store)
    outcomes[store] = outcome
    yield* Effect.sync(() => console.log(describeOutcome(store, outcome)))
  }

  yield* Effect.sync(() => {
    console.log(`Total ${((performance.now() - started) / 1000).toFixed(1)} s; load average now ${loadAverage()}.`)
    console.log(JSON.stringify({ bench: "tenancy", guilds: settings.guilds, tenants: settings.tenants, ...outcomes }))
    if (Object.values(outcomes).some((outcome) => "error" in outcome)) process.exitCode = 1
  })
})

const storeArgument = (): Option.Option<Store> => {
  const flag = process.argv.indexOf("--store")
  if (flag === -1) return Option.none()
  const value = process.argv[flag + 1]
  const store = stores.find((known) => known === value)
  if (store === undefined) throw new Error(`--store must be one of ${stores.join(", ")}, got ${value}`)
  return Option.some(store)
}

NodeRuntime.runMain(Option.match(storeArgument(), { onNone: () => runParent, onSome: runChild }))
