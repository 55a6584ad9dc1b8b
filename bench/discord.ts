/**
 * The Discord runtime benchmark: the runner's composition (core, job worker,
 * HTTP API, Discord ports) on a fresh schema of the Postgres server at
 * BENCH_DATABASE_URL, with an
 * unmodified discord.js client against FakeDiscord holding BENCH_GUILDS
 * (10,000) installed guilds.
 *
 *   npm run bench:discord
 *   BENCH_GUILDS=1000 BENCH_INTERACTIONS=1000 npm run bench:discord   # a quick run
 *
 * Measures: start → ready (gateway READY, every guild's snapshot loaded and
 * its commands synced) on a cold start and on a warm restart, the command
 * PUTs each made (a warm restart must make none), slash commands through the
 * guardrail to a reply at 8 concurrent senders (interactions/s, p50/p99 as
 * the fake sees them: dispatch to the answer) for `/features list` (answered
 * from the cached policy) and `/status` (five database reads), and this
 * process's peak RSS. Discord's global limit of 50 requests a second, which
 * discord.js's REST keeps, bounds the cold start's command PUTs.
 * The fake runs in this process, so its CPU counts against the bot's.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import { availableParallelism, loadavg } from "node:os"
import { MigrationsLive, PgServerClient } from "../adapters/postgres/index.js"
import { GuildId, PlanKey, Tenancy, type TenantId, UserId } from "../core/index.js"
import { botRuntime, botToken, startBot } from "../test/support/botRuntime.js"
import { FakeDiscord } from "../test/support/fakes/FakeDiscord.js"
import { benchDatabaseUrl, benchSchema, percentile, positiveInt, withSearchPath } from "./support.js"

const tenantsCount = 100
const senders = 8
const ownerId = "300000000000000001"
const memberId = "300000000000000002"
const botRoleId = "400000000000000001"
const channelId = "500000000000000001"

const log = (line: string) => Effect.sync(() => console.log(line))
const roundTo = (digits: number) => (value: number) => Math.round(value * 10 ** digits) / 10 ** digits
const guildIdOf = (n: number) => GuildId.make(`7${String(n).padStart(17, "0")}`)

/** BENCH_DATABASE_URL in a fresh schema (dropped at the end), migrated. */
const benchDatabase = Layer.unwrapScoped(
  Effect.gen(function*() {
    const url = yield* benchDatabaseUrl
    const schema = yield* benchSchema(log)
    return MigrationsLive.pipe(Layer.provideMerge(PgServerClient.layer({ url: withSearchPath(url, schema) })))
  })
).pipe(
  // The admin connection that creates the schema lives as long as the benchmark, to drop it at the end.
  Layer.provide(
    Layer.unwrapEffect(Effect.map(benchDatabaseUrl, (url) => PgServerClient.layer({ url, maxConnections: 1 })))
  )
)

const commandPuts = (discord: FakeDiscord) =>
  discord.requests.filter((request) => request.method === "PUT" && /\/guilds\/\d+\/commands$/.test(request.path))
    .length

/** The tenants (enterprise: no guild limit) and their guilds, installed as the invites would have. */
const seed = (discord: FakeDiscord, guilds: number) =>
  Effect.gen(function*() {
    const tenancy = yield* Tenancy
    const tenants: Array<TenantId> = []
    for (let i = 0; i < tenantsCount; i++) {
      tenants.push((yield* tenancy.createTenant({ name: `Bench ${i}`, planKey: PlanKey.make("enterprise") })).id)
    }
    const started = performance.now()
    yield* Effect.forEach(
      Array.from({ length: guilds }, (_, n) => n),
      (n) =>
        tenancy.installGuild({
          tenantId: tenants[n % tenantsCount]!,
          guildId: guildIdOf(n),
          name: `Guild ${n}`,
          ownerId: UserId.make(ownerId)
        }),
      { concurrency: 16, discard: true }
    )
    for (let n = 0; n < guilds; n++) {
      discord.addGuild({
        id: guildIdOf(n),
        name: `Guild ${n}`,
        ownerId,
        roles: [FakeDiscord.role(botRoleId, "Guildhall", 5, 1n << 28n, { managed: true })],
        channels: [FakeDiscord.textChannel(channelId, "general")],
        botRoleIds: [botRoleId],
        members: [{ id: ownerId }, { id: memberId }]
      })
    }
    yield* log(`seeded ${guilds} guilds over ${tenantsCount} tenants in ${Math.round(performance.now() - started)} ms`)
  })

/** Starts the bot in a scope of its own: how long until ready, and the command PUTs it made. */
const boot = (discord: FakeDiscord, label: string) =>
  Effect.gen(function*() {
    discord.clearRequests()
    const scope = yield* Scope.make()
    const started = performance.now()
    yield* Scope.extend(startBot(discord, "15 minutes"), scope)
    const readyMs = Math.round(performance.now() - started)
    const puts = commandPuts(discord)
    yield* log(`${label}: ready in ${readyMs} ms, ${puts} command PUT(s)`)
    return { readyMs, puts, scope }
  })

/**
 * `total` slash commands `name` (`subcommand`) from 8 concurrent senders over
 * the guilds: the rate and the latencies as the fake sees them.
 */
const interactions = (discord: FakeDiscord, guilds: number, total: number, name: string, subcommand?: string) =>
  Effect.gen(function*() {
    const latencies: Array<number> = []
    let next = 0
    let failures = 0
    const sender = Effect.promise(async () => {
      while (next < total) {
        const n = next++
        try {
          const outcome = await discord.interact({
            guildId: guildIdOf((n * 7919) % guilds),
            channelId,
            userId: memberId,
            name,
            ...(subcommand === undefined ? {} : { subcommand }),
            timeoutMs: 10_000
          })
          // A refusal or a failure is not a reply to count: both commands answer with the features or the plan.
          if (!/plan|feature/i.test(outcome.content) || outcome.content.startsWith("Something went wrong")) failures++
          latencies.push(outcome.elapsedMs)
        } catch {
          failures++
        }
      }
    })
    const started = performance.now()
    yield* Effect.all(Array.from({ length: senders }, () => sender), { concurrency: "unbounded", discard: true })
    const seconds = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    const measured = {
      perSec: Math.round(total / seconds),
      p50Ms: roundTo(2)(percentile(latencies, 0.5)),
      p99Ms: roundTo(2)(percentile(latencies, 0.99)),
      failures
    }
    yield* log(
      `/${[name, subcommand].filter(Boolean).join(" ")}: ${measured.perSec}/s at ${senders} senders, ` +
        `p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms, ${measured.failures} failed`
    )
    return measured
  })

const program = Effect.gen(function*() {
  const guilds = yield* positiveInt("BENCH_GUILDS", 10_000)
  const total = yield* positiveInt("BENCH_INTERACTIONS", 4_000)
  yield* log(
    `bench:discord: ${guilds} guilds, ${total} interactions, ${senders} senders; ` +
      `${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(2)}`
  )
  const discord = yield* FakeDiscord.make({ token: botToken, recommendedShards: Math.ceil(guilds / 2_500) })
  return yield* Effect.gen(function*() {
    yield* seed(discord, guilds)
    const cold = yield* boot(discord, "cold start")
    yield* Scope.close(cold.scope, Exit.void)
    const warm = yield* boot(discord, "warm restart")
    // /features list answers from the guild's cached policy; /status also reads the database five times.
    const features = yield* interactions(discord, guilds, total, "features", "list")
    const status = yield* interactions(discord, guilds, total, "status")
    yield* Scope.close(warm.scope, Exit.void)
    const peakRssMiB = roundTo(1)(process.resourceUsage().maxRSS / 1024)
    yield* log(`peak RSS ${peakRssMiB} MiB`)
    yield* log(JSON.stringify({
      bench: "discord",
      guilds,
      shards: Math.ceil(guilds / 2_500),
      coldReadyMs: cold.readyMs,
      coldCommandPuts: cold.puts,
      warmReadyMs: warm.readyMs,
      warmCommandPuts: warm.puts,
      featuresListPerSec: features.perSec,
      featuresListP50Ms: features.p50Ms,
      featuresListP99Ms: features.p99Ms,
      statusPerSec: status.perSec,
      statusP50Ms: status.p50Ms,
      statusP99Ms: status.p99Ms,
      interactionFailures: features.failures + status.failures,
      senders,
      peakRssMiB
    }))
  }).pipe(Effect.provide(botRuntime(benchDatabase, { discord })))
}).pipe(Effect.scoped)

// Warnings and errors only: the runtime logs a line per guild event at info.
NodeRuntime.runMain(program.pipe(Logger.withMinimumLogLevel(LogLevel.Warning), Effect.orDie), {
  disablePrettyLogger: true
})
