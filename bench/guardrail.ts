/**
 * The guardrail benchmark: warm decisions on one core.
 *
 *   npm run bench:guardrail
 *   BENCH_GUILDS=1000 npm run bench:guardrail   # a quick run
 *
 * Builds BENCH_GUILDS (10,000) guild policies with 20 rules each (platform and
 * tenant scope, every kind of target and subject), loads them all through the
 * PolicyCache (a warm cache), then times the pure `decide` over a fixed mix of
 * contexts — mostly allowed, some denied at every stage — and a bare
 * `Map.get` of a boolean over the same guild ids, for scale.
 *
 * Each context is built from a JSON interaction payload of its own, parsed
 * with JSON.parse as the gateway's are, so its ids are flat strings that sit
 * next to it, as in a running bot, where a context comes from an interaction
 * that has just arrived. For comparison the same decisions are also timed on
 * contexts whose ids are the very strings of the guilds' id pools: V8 cons
 * strings (built by concatenation) spread over a heap of several million
 * ids, which no gateway produces; that is the worst case, printed as
 * `sharedIds`.
 *
 * Then it runs bench/guardrail-cold.ts (cold snapshot loads on the Postgres
 * server) and bench/guardrail-quotas.ts (quota throughput) as child
 * processes, if they exist, takes each one's last JSON line, and ends with
 * one JSON line merging everything (a missing or failing child is null).
 */
import { DateTime, Effect, Layer, Option, Stream } from "effect"
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { availableParallelism, loadavg } from "node:os"
import { fileURLToPath } from "node:url"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Permission } from "../core/features/Permissions.js"
import { decide } from "../core/guardrail/internal/decide.js"
import type { CompiledPolicy } from "../core/guardrail/internal/DecisionTable.js"
import {
  builtinFeatureRegistry,
  ChannelId,
  type CommandContext,
  type Decision,
  FeatureRegistry,
  Guild,
  GuildId,
  type GuildId as GuildIdType,
  PlanCatalog,
  PlanKey,
  PolicyCache,
  type PolicySnapshot,
  type PolicySource,
  PolicyStore,
  RoleId,
  Rule,
  RuleId,
  Tenant,
  TenantId,
  type TenantStatus,
  UserId
} from "../core/index.js"
import { positiveInt } from "./support.js"

const guildCount = Effect.runSync(positiveInt("BENCH_GUILDS", 10_000))
const rulesPerGuild = 20
const contextCount = 200_000
const batchSize = 1_000
const measuredSeconds = 3

/** A deterministic generator (mulberry32), so every run measures the same policies and contexts. */
const random = (() => {
  let state = 0x9e3779b9
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
})()
const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!
const chance = (p: number) => random() < p

const snowflake = (kind: number, guild: number, n: number) =>
  `${kind}${String(guild).padStart(8, "0")}${String(n).padStart(9, "0")}`
const ids = (kind: number, guild: number, count: number) =>
  Array.from({ length: count }, (_, n) => snowflake(kind, guild, n))

interface GuildPlan {
  readonly guildId: GuildIdType
  readonly ownerId: string
  readonly users: ReadonlyArray<string>
  readonly channels: ReadonlyArray<string>
  readonly categories: ReadonlyArray<string>
  readonly roles: ReadonlyArray<string>
  readonly modRole: string
  readonly adminRole: string
}

const features = builtinFeatureRegistry.features
const optionalFeatures = features.filter((f) => f.access !== "essential").map((f) => f.key)
const commands = builtinFeatureRegistry.commands
const targets = [
  "*",
  ...features.map((f) => `feature:${f.key}`),
  ...commands.flatMap((c) => c.path.map((_, i) => `command:${c.path.slice(0, i + 1).join(" ")}`))
]

const at0 = DateTime.unsafeMake(0)
const tenantOf = (n: number, status: TenantStatus) =>
  Tenant.make({
    id: TenantId.make(`${n.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`),
    name: `Tenant ${n}`,
    mode: "hosted",
    status,
    planKey: PlanKey.make(pick(["free", "basic", "basic", "premium", "premium", "premium", "enterprise"])),
    guildDefaults: {},
    createdAt: at0
  })

const makeGuild = (n: number): { readonly plan: GuildPlan; readonly source: PolicySource } => {
  const plan: GuildPlan = {
    guildId: GuildId.make(snowflake(1, n, 0)),
    ownerId: snowflake(2, n, 0),
    users: ids(2, n, 500),
    channels: ids(3, n, 30),
    categories: ids(4, n, 6),
    roles: ids(5, n, 40),
    modRole: snowflake(5, n, 100),
    adminRole: snowflake(5, n, 101)
  }
  const status: TenantStatus = chance(0.02) ? "read_only" : chance(0.01) ? "suspended" : "active"
  const tenant = tenantOf(n, status)
  // Weighted like real rule sets: mostly roles, users and channels; few guild-wide defaults.
  const subjects = [
    ["user", plan.users],
    ["user", plan.users],
    ["channel", plan.channels],
    ["channel", plan.channels],
    ["category", plan.categories],
    ["role", plan.roles],
    ["role", plan.roles],
    ["role", plan.roles],
    ["guild", [plan.guildId]]
  ] as const
  const rules = Array.from({ length: rulesPerGuild }, (_, i) => {
    const [subject, pool] = pick(subjects)
    return Rule.make({
      id: RuleId.make(`${n.toString(16).padStart(8, "0")}-${String(i).padStart(4, "0")}-4000-8000-000000000000`),
      scope: chance(0.1) ? "platform" : "tenant",
      tenantId: tenant.id,
      guildId: plan.guildId,
      // Guild-wide rules on everything would decide every context; keep them to features and commands.
      target: subject === "guild" ? pick(targets.slice(1)) : pick(targets),
      subject,
      subjectId: pick(pool),
      effect: chance(0.6) ? "allow" : "deny"
    })
  })
  const source: PolicySource = {
    tenant,
    guild: Guild.make({
      tenantId: tenant.id,
      guildId: plan.guildId,
      name: `Guild ${n}`,
      ownerId: UserId.make(plan.ownerId),
      status: "installed",
      config: { modRoleIds: [RoleId.make(plan.modRole)], adminRoleIds: [RoleId.make(plan.adminRole)] },
      installedAt: at0,
      removedAt: null
    }),
    held: [],
    overrides: [],
    features: optionalFeatures.map((featureKey) => ({
      featureKey,
      enabled: chance(0.93),
      config: {},
      configVersion: 1
    })),
    rules,
    killSwitches: chance(0.01) ? [pick(optionalFeatures)] : [],
    version: 1
  }
  return { plan, source }
}

const everyPermission = (1n << 51n) - 1n & ~Permission.Administrator

const memberCommands = commands.filter((c) => c.requirements.level === "member")

/**
 * Mostly members running member commands of features their plan has; some
 * staff commands (by members, denied, and by staff) and some commands outside
 * the plan, so every stage denies now and then.
 */
const makeContext = (plan: GuildPlan, snapshot: PolicySnapshot, n: number): CommandContext => {
  const inPlan = memberCommands.filter((c) =>
    c.feature.requires === null || snapshot.entitlements.features.has(c.feature.requires)
  )
  const command = chance(0.85) && inPlan.length > 0 ? pick(inPlan) : pick(commands)
  const isThread = chance(0.15)
  const staff = chance(0.1) ? plan.adminRole : chance(0.1) ? plan.modRole : null
  const roles = [pick(plan.roles), pick(plan.roles), ...(staff ? [staff] : [])].map((id, position) => ({
    id: RoleId.make(id),
    position: position + 1
  }))
  return {
    tenantId: TenantId.make("00000000-0000-4000-8000-000000000000"),
    guildId: plan.guildId,
    userId: UserId.make(chance(0.03) ? plan.ownerId : pick(plan.users)),
    memberRoles: roles,
    memberPermissions: chance(0.05) ? Permission.ManageGuild : Permission.SendMessages,
    channelId: ChannelId.make(isThread ? snowflake(3, n, 500 + n) : pick(plan.channels)),
    parentChannelId: isThread ? ChannelId.make(pick(plan.channels)) : null,
    categoryId: chance(0.7) ? ChannelId.make(pick(plan.categories)) : null,
    appPermissions: chance(0.02) ? Permission.SendMessages : everyPermission,
    commandPath: command.path,
    interactionId: snowflake(9, n, 0)
  }
}

const log = (line: string) => process.stdout.write(`${line}\n`)

// ---- build and warm ----
const buildStart = process.hrtime.bigint()
const guilds = Array.from({ length: guildCount }, (_, n) => makeGuild(n))
const sources = new Map(guilds.map((g) => [g.source.guild.guildId, g.source]))

const BenchPolicyStore = Layer.succeed(PolicyStore, {
  load: (guildId) => Effect.succeed(Option.fromNullable(sources.get(guildId))),
  changes: Stream.never
})

/**
 * Loads every guild through the PolicyCache (a warm cache, which compiles each
 * snapshot for the registry), then reads the compiled policies back from it.
 */
const warmPolicies = Effect.gen(function*() {
  const cache = yield* PolicyCache
  yield* Effect.forEach(guilds, (g) => cache.policy(g.plan.guildId), { discard: true })
  const policies = new Map<string, CompiledPolicy>()
  for (const g of guilds) {
    const policy = yield* cache.policy(g.plan.guildId)
    if (Option.isSome(policy)) policies.set(g.plan.guildId, policy.value)
  }
  return { policies, size: yield* cache.size, tableStats: cache.tableStats }
}).pipe(
  Effect.provide(
    PolicyCache.layer.pipe(
      Layer.provide(BenchPolicyStore),
      Layer.provide(PlanCatalog.builtin),
      Layer.provide(Layer.succeed(FeatureRegistry, builtinFeatureRegistry))
    )
  )
)

const { policies, size: cached, tableStats } = await Effect.runPromise(warmPolicies)
const buildMs = Number(process.hrtime.bigint() - buildStart) / 1e6
log(`built and cached ${cached} guild snapshots with ${rulesPerGuild} rules each in ${buildMs.toFixed(0)} ms`)

const cases = Array.from({ length: contextCount }, (_, i) => {
  const { plan } = guilds[Math.floor(random() * guilds.length)]!
  const policy = policies.get(plan.guildId)!
  return { policy, ctx: makeContext(plan, policy.snapshot, i) }
})
const casePolicies = cases.map((c) => c.policy)

/** The context as a bot builds it from an interaction: from its own payload, parsed from JSON. */
const delivered = (ctx: CommandContext): CommandContext => {
  const payload = JSON.parse(JSON.stringify({
    id: ctx.interactionId,
    guild_id: ctx.guildId,
    channel_id: ctx.channelId,
    channel: { id: ctx.channelId, parent_id: ctx.parentChannelId, category_id: ctx.categoryId },
    member: {
      user: { id: ctx.userId },
      roles: ctx.memberRoles.map((role) => role.id),
      role_positions: ctx.memberRoles.map((role) => role.position),
      permissions: String(ctx.memberPermissions)
    },
    app_permissions: String(ctx.appPermissions),
    data: { name: ctx.commandPath[0], options: ctx.commandPath.slice(1).map((name) => ({ type: 1, name })) }
  }))
  return {
    tenantId: ctx.tenantId,
    guildId: payload.guild_id,
    userId: payload.member.user.id,
    memberRoles: payload.member.roles.map((id: RoleId, i: number) => ({
      id,
      position: payload.member.role_positions[i]
    })),
    memberPermissions: BigInt(payload.member.permissions),
    channelId: payload.channel_id,
    parentChannelId: payload.channel.parent_id,
    categoryId: payload.channel.category_id,
    appPermissions: BigInt(payload.app_permissions),
    commandPath: [payload.data.name, ...payload.data.options.map((option: { name: string }) => option.name)],
    interactionId: payload.id
  }
}
const caseContexts = cases.map((c) => delivered(c.ctx))
const sharedIdContexts = cases.map((c) => c.ctx)

const outcomes = new Map<string, number>()
for (const [i, { ctx, policy }] of cases.entries()) {
  const decision: Decision = decide(policy, caseContexts[i]!)
  const again = decide(policy, ctx)
  if (JSON.stringify(again) !== JSON.stringify(decision)) throw new Error(`context ${i}: its two copies disagree`)
  const key = decision._tag === "Allow" ? (decision.ruleAllowed ? "ALLOW (rule)" : "ALLOW") : decision.code
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
}
log(
  `context mix (${contextCount} contexts over ${guildCount} guilds): ` +
    [...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(100 * v / contextCount).toFixed(1)}%`).join(
      ", "
    )
)

// ---- measure ----
interface Measured {
  readonly perSec: number
  /** CPU time this thread got over wall time: below 1 means other processes took the core. */
  readonly cpuShare: number
  readonly p50Ns: number
  readonly p99Ns: number
}

/**
 * One call takes well under a microsecond, below what a clock read can
 * resolve without distorting it, so calls run in batches of `batchSize`
 * timed with process.hrtime.bigint(); each batch's time divided by its size
 * is one latency sample. p50/p99 are over those per-batch averages (a single
 * call's tail inside a batch is averaged away). Throughput is all calls over
 * all batch time, after a warm-up that lets the JIT settle and a full
 * garbage collection, so the collector is not still sweeping up the setup's
 * garbage (the JSON payloads) on the measuring core: a warm decision itself
 * allocates nothing.
 */
/** A full collection; V8 exposes `gc` only to code compiled after the flag is set, hence the new context. */
setFlagsFromString("--expose-gc")
const collectGarbage = runInNewContext("gc") as () => void

const measure = (runBatch: (start: number) => number): Measured => {
  let sink = 0
  collectGarbage()
  for (let i = 0; i < 2_000; i++) sink += runBatch((i * batchSize) % contextCount)
  const samples: Array<number> = []
  let totalNs = 0
  let calls = 0
  let offset = 0
  const cpuBefore = process.cpuUsage()
  const wallBefore = process.hrtime.bigint()
  while (totalNs < measuredSeconds * 1e9) {
    const start = process.hrtime.bigint()
    sink += runBatch(offset)
    const elapsed = Number(process.hrtime.bigint() - start)
    samples.push(elapsed / batchSize)
    totalNs += elapsed
    calls += batchSize
    offset = (offset + batchSize) % contextCount
  }
  const cpu = process.cpuUsage(cpuBefore)
  const cpuShare = (cpu.user + cpu.system) * 1e3 / Number(process.hrtime.bigint() - wallBefore)
  if (sink === -1) log("unreachable") // keeps the results observable, so the JIT cannot drop the calls
  samples.sort((a, b) => a - b)
  const quantile = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!
  return { perSec: calls / (totalNs / 1e9), cpuShare, p50Ns: quantile(0.5), p99Ns: quantile(0.99) }
}

const decideOver = (contexts: ReadonlyArray<CommandContext>) => (start: number) => {
  let allowed = 0
  for (let i = start; i < start + batchSize; i++) {
    if (decide(casePolicies[i]!, contexts[i]!)._tag === "Allow") allowed++
  }
  return allowed
}

const flags = new Map<string, boolean>(guilds.map((g) => [g.plan.guildId, chance(0.8)]))
const caseGuildIds = caseContexts.map((ctx) => ctx.guildId)
const mapGetBatch = (start: number) => {
  let allowed = 0
  for (let i = start; i < start + batchSize; i++) if (flags.get(caseGuildIds[i]!) === true) allowed++
  return allowed
}

log(`method: ${batchSize} calls per timed batch (process.hrtime.bigint()), latency = batch time / ${batchSize};`)
log(
  `        p50/p99 over the per-batch averages; ${measuredSeconds} s per measurement on this one thread after warm-up`
)
const decided = measure(decideOver(caseContexts))
log(
  `decide:  ${Math.round(decided.perSec).toLocaleString("en-US")} decisions/s, p50 ${
    decided.p50Ns.toFixed(0)
  } ns, p99 ${decided.p99Ns.toFixed(0)} ns`
)
const sharedIds = measure(decideOver(sharedIdContexts))
log(
  `decide, ids shared with the id pools (worst case): ${
    Math.round(sharedIds.perSec).toLocaleString("en-US")
  } decisions/s, p50 ${sharedIds.p50Ns.toFixed(0)} ns, p99 ${sharedIds.p99Ns.toFixed(0)} ns`
)
const arena = Effect.runSync(tableStats)
log(
  `tables:  ${arena.chunks} arena chunks of 64 KiB, ${(arena.liveWords * 4 / 2 ** 20).toFixed(1)} MiB of live tables (${
    (arena.liveWords * 4 / guildCount).toFixed(0)
  } bytes per guild)`
)
const mapGet = measure(mapGetBatch)
log(
  `Map.get: ${Math.round(mapGet.perSec).toLocaleString("en-US")} lookups/s, p50 ${mapGet.p50Ns.toFixed(0)} ns, p99 ${
    mapGet.p99Ns.toFixed(0)
  } ns`
)
log(
  `cpu:     the measuring thread got ${(100 * decided.cpuShare).toFixed(0)}% of a core during decide and ${
    (100 * mapGet.cpuShare).toFixed(0)
  }% during Map.get (${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}); figures are wall-clock`
)
const ratio = mapGet.perSec / decided.perSec
log(`ratio:   a decision costs ${ratio.toFixed(1)}x a bare Map.get of a boolean`)
log(
  `target:  >= 1,000,000 decisions/s ${decided.perSec >= 1e6 ? "met" : "MISSED"}, p99 < 5,000 ns ${
    decided.p99Ns < 5_000 ? "met" : "MISSED"
  }`
)

// ---- the other halves, as child processes ----
const lastJsonLine = (output: string): unknown => {
  const lines = output.trim().split("\n").reverse()
  for (const line of lines) {
    try {
      return JSON.parse(line)
    } catch {
      continue
    }
  }
  return undefined
}

const runChild = (name: string): Promise<unknown> => {
  const file = fileURLToPath(new URL(`./${name}`, import.meta.url))
  if (!existsSync(file)) {
    log(`${name}: not found, reported as null`)
    return Promise.resolve(null)
  }
  log(`${name}: running…`)
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, file], { stdio: ["ignore", "pipe", "inherit"] })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
    })
    child.on("error", (error) => {
      log(`${name}: could not start (${error.message}), reported as null`)
      resolve(null)
    })
    child.on("close", (code) => {
      const result = lastJsonLine(output)
      if (code !== 0 || result === undefined) {
        log(`${name}: ${code !== 0 ? `exited with code ${code}` : "printed no JSON line"}, reported as null`)
        resolve(null)
      } else {
        resolve(result)
      }
    })
  })
}

const cold = await runChild("guardrail-cold.ts")
const quotas = await runChild("guardrail-quotas.ts")

log(JSON.stringify({
  bench: "guardrail",
  guilds: guildCount,
  rulesPerGuild,
  decisionsPerSec: Math.round(decided.perSec),
  p50Ns: Math.round(decided.p50Ns),
  p99Ns: Math.round(decided.p99Ns),
  mapGetPerSec: Math.round(mapGet.perSec),
  ratio: Number(ratio.toFixed(2)),
  cpuShare: Number(decided.cpuShare.toFixed(2)),
  sharedIds: {
    decisionsPerSec: Math.round(sharedIds.perSec),
    p50Ns: Math.round(sharedIds.p50Ns),
    p99Ns: Math.round(sharedIds.p99Ns)
  },
  tableBytesPerGuild: Math.round(arena.liveWords * 4 / guildCount),
  cold,
  quotas
}))
