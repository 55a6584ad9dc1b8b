/**
 * Cold guild policy loads: every call is a round trip to the Postgres server.
 *
 *   npm run bench:guardrail-cold
 *   BENCH_GUILDS=1000 npm run bench:guardrail-cold   # a quick run
 *
 * Creates a fresh schema on BENCH_DATABASE_URL (dropped at the end, even on
 * failure), migrates it, and seeds BENCH_GUILDS (10,000) installed guilds
 * across BENCH_TENANTS (100) tenants, each with BENCH_RULES (20) rules, three
 * features, a tenant-wide override and a held add-on. Seeding is bulk SQL:
 * setup, not measured.
 *
 * Then it times, for random guilds, `PolicyStore.load` of PolicyStoreSql (the
 * one-round-trip statement, decoded through the core Schemas), the core's
 * `buildSnapshot` over what it loaded, and the first decision on the new
 * snapshot (compiling its decision table, as PolicyCache does on a load, then `decide`): one at a time for latency, and
 * loads alone with BENCH_CONCURRENCY (16) callers for throughput. Prints lines, then one JSON
 * line (bench/guardrail.ts runs this file as a child and merges that line).
 */
import { SqlClient } from "@effect/sql"
import { Config, DateTime, Effect, Layer, Option, Redacted } from "effect"
import { asPlatform, PgServerClient, PolicyStoreSql, runMigrations } from "../adapters/postgres/index.js"
import { decide } from "../core/guardrail/internal/decide.js"
import { makeDecisionEngine } from "../core/guardrail/internal/DecisionTable.js"
import { buildSnapshot } from "../core/guardrail/PolicySnapshot.js"
import {
  builtinFeatureRegistry,
  ChannelId,
  type CommandContext,
  GuildId,
  Permission,
  PlanCatalog,
  PolicyStore,
  RoleId,
  TenantId,
  UserId
} from "../core/index.js"
import { benchDatabaseUrl, benchSchema, percentile, positiveInt, withSearchPath } from "./support.js"

const Settings = Config.all({
  guilds: positiveInt("BENCH_GUILDS", 10_000),
  tenants: positiveInt("BENCH_TENANTS", 100),
  rulesPerGuild: positiveInt("BENCH_RULES", 20),
  loads: positiveInt("BENCH_LOADS", 5_000),
  concurrency: positiveInt("BENCH_CONCURRENCY", 16),
  databaseUrl: benchDatabaseUrl
})

/** Loads before the measured ones, so JIT and connection warm-up stay out of the latencies. */
const warmupLoads = 500
const firstGuild = 100_000_000_000_000_000n
const guildIdOf = (index: number) => GuildId.make(String(firstGuild + BigInt(index)))

const log = (line: string) => Effect.sync(() => process.stdout.write(`${line}\n`))

/** A deterministic PRNG (mulberry32), so runs pick the same guilds. */
const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const ms = (value: number) => Number(value.toFixed(3))

/** Tenants, guilds, rules (every kind of target and subject), features, overrides and add-ons, in bulk. */
const seed = (settings: Config.Config.Success<typeof Settings>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const tenantUuid = (column: string) =>
      sql.literal(`('00000000-0000-4000-8000-' || lpad(to_hex(${column}), 12, '0'))::uuid`)
    yield* sql`
      INSERT INTO tenants (id, name, mode, status, plan_key, guild_defaults, created_at)
      SELECT ${tenantUuid("t")}, 'Tenant ' || t, 'hosted', 'active', 'enterprise', '{}', now()
      FROM generate_series(1, ${settings.tenants}) t
    `
    yield* sql`
      INSERT INTO guilds (tenant_id, guild_id, name, owner_id, status, config, installed_at)
      SELECT ${tenantUuid(`(g % ${settings.tenants} + 1)`)}, (${String(firstGuild)}::bigint + g)::text,
             'Guild ' || g, '200000000000000001', 'installed',
             '{"modRoleIds": ["300000000000000001"], "adminRoleIds": ["300000000000000002"]}', now()
      FROM generate_series(0, ${settings.guilds - 1}) g
    `
    yield* sql`INSERT INTO guild_directory (guild_id, tenant_id) SELECT guild_id, tenant_id FROM guilds`
    yield* sql`INSERT INTO guild_policy_versions (tenant_id, guild_id, version) SELECT tenant_id, guild_id, 1 FROM guilds`
    yield* sql`
      INSERT INTO rbac_rules (tenant_id, guild_id, id, scope, target, subject, subject_id, effect)
      SELECT tenant_id, guild_id, gen_random_uuid(),
             CASE WHEN r % 5 = 0 THEN 'platform' ELSE 'tenant' END,
             (ARRAY['*', 'feature:xp', 'feature:welcome', 'command:xp', 'command:xp reset', 'command:ban'])[r % 6 + 1],
             (ARRAY['user', 'channel', 'category', 'role', 'guild'])[r % 5 + 1],
             CASE WHEN r % 5 = 4 THEN guild_id ELSE (400000000000000000 + r)::text END,
             CASE WHEN r % 3 = 0 THEN 'deny' ELSE 'allow' END
      FROM guilds, generate_series(1, ${settings.rulesPerGuild}) r
    `
    yield* sql`
      INSERT INTO guild_features (tenant_id, guild_id, feature_key, enabled, config, config_version)
      SELECT tenant_id, guild_id, feature, feature <> 'announcements', '{"channelId": "500000000000000001"}', 1
      FROM guilds, unnest(ARRAY['welcome', 'xp', 'announcements']) feature
    `
    yield* sql`
      INSERT INTO plan_overrides (tenant_id, id, guild_id, plan_key, features, limits, reason, expires_at, created_at)
      SELECT id, gen_random_uuid(), NULL, NULL, '[]', '{"commandsPerMinute": 600}', 'bench', NULL, now() FROM tenants
    `
    yield* sql`
      INSERT INTO held_add_ons (tenant_id, add_on_key, quantity, expires_at)
      SELECT id, 'extra-guilds', 2, NULL FROM tenants
    `
    yield* sql`ANALYZE`
  })

const summarize = (samples: Array<number>) => {
  samples.sort((a, b) => a - b)
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) }
}

const bench = Effect.gen(function*() {
  const settings = yield* Settings
  const schema = yield* benchSchema(log)
  yield* log(`schema ${schema} on ${new URL(Redacted.value(settings.databaseUrl)).host}`)
  const app = yield* Layer.build(
    PolicyStoreSql.pipe(Layer.provideMerge(PgServerClient.layer({ url: withSearchPath(settings.databaseUrl, schema) })))
  )
  yield* runMigrations.pipe(Effect.provide(app))

  const seeding = performance.now()
  yield* seed(settings).pipe(asPlatform, Effect.provide(app))
  yield* log(
    `seeded ${settings.guilds.toLocaleString("en-US")} guilds across ${settings.tenants} tenants, ` +
      `${settings.rulesPerGuild} rules each, in ${((performance.now() - seeding) / 1000).toFixed(1)} s (not measured)`
  )

  const store = yield* PolicyStore.pipe(Effect.provide(app))
  const catalog = PlanCatalog.make()
  const random = seededRandom(0x5eed)
  const randomGuild = () => guildIdOf(Math.floor(random() * settings.guilds))
  const loadOne = (guildId: GuildId) =>
    Effect.flatMap(
      store.load(guildId),
      Option.match({
        onNone: () => Effect.dieMessage(`guild ${guildId} did not load`),
        onSome: Effect.succeed
      })
    )

  for (let i = 0; i < warmupLoads; i++) yield* loadOne(randomGuild())

  /** A member running /rank in a channel with a role: the first decision builds the snapshot's decision table. */
  const firstCommand = (guildId: GuildId): CommandContext => ({
    tenantId: TenantId.make("00000000-0000-4000-8000-000000000001"),
    guildId,
    userId: UserId.make("200000000000000002"),
    memberRoles: [{ id: RoleId.make("400000000000000004"), position: 1 }],
    memberPermissions: Permission.SendMessages,
    channelId: ChannelId.make("400000000000000002"),
    parentChannelId: null,
    categoryId: ChannelId.make("400000000000000003"),
    appPermissions: Permission.SendMessages | Permission.ManageRoles,
    commandPath: ["rank"],
    interactionId: "900000000000000001"
  })

  const now = yield* DateTime.now
  // One engine, as the PolicyCache layer holds: the first decision compiles the snapshot into its arena.
  const engine = makeDecisionEngine(builtinFeatureRegistry)
  const loadMs: Array<number> = []
  const buildMs: Array<number> = []
  const decideMs: Array<number> = []
  const started = performance.now()
  for (let i = 0; i < settings.loads; i++) {
    const before = performance.now()
    const source = yield* loadOne(randomGuild())
    const loaded = performance.now()
    const snapshot = buildSnapshot(source, catalog, now)
    const built = performance.now()
    const decision = decide(engine.compile(snapshot), firstCommand(snapshot.guildId))
    decideMs.push(performance.now() - built)
    buildMs.push(built - loaded)
    loadMs.push(loaded - before)
    if (decision._tag === "Deny" && decision.code === "UNKNOWN_COMMAND") {
      return yield* Effect.dieMessage("the first decision found no command")
    }
  }
  const sequentialPerSec = settings.loads / ((performance.now() - started) / 1000)

  const concurrentStarted = performance.now()
  yield* Effect.forEach(Array.from({ length: settings.loads }, randomGuild), loadOne, {
    concurrency: settings.concurrency,
    discard: true
  })
  const concurrentPerSec = settings.loads / ((performance.now() - concurrentStarted) / 1000)

  const load = summarize(loadMs)
  const build = summarize(buildMs)
  const firstDecision = summarize(decideMs)
  yield* log(`load:     p50 ${ms(load.p50)} ms, p99 ${ms(load.p99)} ms (one round trip each, ${settings.loads} loads)`)
  yield* log(`build:    p50 ${ms(build.p50)} ms, p99 ${ms(build.p99)} ms (buildSnapshot over the loaded source)`)
  yield* log(
    `decide:   p50 ${ms(firstDecision.p50)} ms, p99 ${
      ms(firstDecision.p99)
    } ms (the first decision on the new snapshot, which builds its decision table)`
  )
  yield* log(
    `loads/s:  ${Math.round(sequentialPerSec)} one at a time (load + build + first decision), ${
      Math.round(concurrentPerSec)
    } with ${settings.concurrency} callers (load only)`
  )
  yield* log(JSON.stringify({
    bench: "guardrail-cold",
    guilds: settings.guilds,
    rulesPerGuild: settings.rulesPerGuild,
    loadP50Ms: ms(load.p50),
    loadP99Ms: ms(load.p99),
    buildP50Ms: ms(build.p50),
    buildP99Ms: ms(build.p99),
    firstDecisionP50Ms: ms(firstDecision.p50),
    firstDecisionP99Ms: ms(firstDecision.p99),
    loadsPerSec: Math.round(sequentialPerSec),
    loadsPerSecConcurrent: Math.round(concurrentPerSec),
    concurrency: settings.concurrency
  }))
})

const admin = Layer.unwrapEffect(
  Effect.map(Settings, (settings) => PgServerClient.layer({ url: settings.databaseUrl, maxConnections: 1 }))
)

Effect.runPromise(bench.pipe(Effect.scoped, Effect.provide(admin))).catch((error: unknown) => {
  process.stderr.write(`guardrail-cold failed: ${String(error)}\n`)
  process.exitCode = 1
})
