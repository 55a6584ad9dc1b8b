/**
 * The licensing benchmark: the license server (the Licenses service of
 * CoreLive over the SQL repositories) on a fresh schema of the Postgres server
 * at BENCH_DATABASE_URL, migrated.
 *
 *   npm run bench:licensing
 *   BENCH_LICENSES=20 BENCH_ACTIVATIONS=200 BENCH_REFRESHES=200 npm run bench:licensing   # a quick run
 *
 * Measures, through `Licenses.lease` at 16 concurrent callers: activations/s
 * with p50/p99 (BENCH_ACTIVATIONS distinct installs dealt round-robin over
 * BENCH_LICENSES licenses of 20 tenants, 5 activations each, so a license
 * takes 5 of its installs and refuses the rest as TOO_MANY_ACTIVATIONS:
 * granted and refused are counted apart; at the defaults, 200 × 5 = 1,000
 * slots for 2,000 installs, half are refused), refreshes/s with p50/p99
 * (BENCH_REFRESHES leases of the activated installs, same fingerprint, new
 * nonce); in process, `Lease.verify` of one signed lease with the Ed25519
 * verifier for about 2 s; usage batches/s with p50/p99 (`Licenses.acceptUsage`:
 * BENCH_USAGE_BATCHES signed batches of 50 entries, from up to 64 activated
 * installs that registered a report key, each sending its sequences in order,
 * 16 installs at a time); export and import of one tenant with
 * BENCH_EXPORT_GUILDS guilds and BENCH_EXPORT_USAGE_ROWS daily usage rows
 * (time of each, archive size); and this process's peak RSS.
 *
 * The outside systems (Discord, Stripe, Polar) are the memory ones of the test
 * runtime: licensing calls none of them. The server shares the machine's CPUs
 * with this process, so other load skews every number.
 */
import { NodeRuntime } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { Config, DateTime, Effect, Either, Layer, Logger, LogLevel, Option } from "effect"
import { availableParallelism, loadavg } from "node:os"
import { Ed25519 } from "../adapters/crypto/index.js"
import {
  MigrationsLive,
  PgServerClient,
  PolicyStoreSql,
  QuotaStoreSql,
  RepositoriesSql
} from "../adapters/postgres/index.js"
import {
  Exports,
  type InstallFingerprint,
  Lease,
  type LicenseId,
  Licenses,
  PlanKey,
  type SignedLease,
  Tenancy,
  type TenantId,
  UsageBatch,
  UsageBatches
} from "../core/index.js"
import { CoreLive } from "../programs/Core.js"
import { TestOutsideSystems } from "../programs/TestRuntime.js"
import { benchDatabaseUrl, benchSchema, percentile, positiveInt, withSearchPath } from "./support.js"

const tenantsCount = 20
const maxActivations = 5
const concurrency = 16
const verifySeconds = 2
const applicationId = "600000000000000001"
const version = "bench"

const BenchSettings = Config.all({
  licenses: positiveInt("BENCH_LICENSES", 200),
  activations: positiveInt("BENCH_ACTIVATIONS", 2_000),
  refreshes: positiveInt("BENCH_REFRESHES", 4_000),
  usageBatches: positiveInt("BENCH_USAGE_BATCHES", 2_000),
  exportGuilds: positiveInt("BENCH_EXPORT_GUILDS", 1_000),
  exportUsageRows: positiveInt("BENCH_EXPORT_USAGE_ROWS", 100_000)
})

const log = (line: string) => Effect.sync(() => console.log(line))
const roundTo = (digits: number) => (value: number) => Math.round(value * 10 ** digits) / 10 ** digits
const perSecond = (count: number, elapsedMs: number) => Math.round((count * 1000) / elapsedMs)
const fingerprintOf = (install: number) => ({ applicationId, installId: `bench-install-${install}` })

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

/** CoreLive over the SQL repositories and stores on the bench schema; the outside systems in memory. */
const licensingRuntime = CoreLive.pipe(
  Layer.provideMerge(Layer.mergeAll(RepositoriesSql, QuotaStoreSql, PolicyStoreSql, TestOutsideSystems)),
  Layer.provideMerge(benchDatabase),
  Layer.orDie
)

/** The tenants (enterprise) and their licenses, dealt round-robin; the keys in license order. */
const seed = (licenses: number) =>
  Effect.gen(function*() {
    const tenancy = yield* Tenancy
    const server = yield* Licenses
    const started = performance.now()
    const tenants: Array<TenantId> = []
    for (let i = 0; i < Math.min(tenantsCount, licenses); i++) {
      tenants.push((yield* tenancy.createTenant({ name: `Bench ${i}`, planKey: PlanKey.make("enterprise") })).id)
    }
    const keys = yield* Effect.forEach(
      Array.from({ length: licenses }, (_, n) => n),
      (n) => Effect.map(server.issue(tenants[n % tenants.length]!, { maxActivations }), (issued) => issued.key),
      { concurrency }
    )
    yield* log(
      `issued ${licenses} licenses (${maxActivations} activations each) over ${tenants.length} tenants in ${
        Math.round(performance.now() - started)
      } ms`
    )
    return keys
  })

interface Timed {
  readonly latencyMs: number
  readonly granted: boolean
}

/**
 * `total` lease calls from 16 concurrent callers, call `n` made by `request(n)`:
 * the rate, the latencies, and how many were granted and refused as
 * TOO_MANY_ACTIVATIONS (any other failure ends the benchmark), and which calls were granted.
 */
const leases = (
  label: string,
  total: number,
  request: (n: number) => Parameters<Effect.Effect.Success<typeof Licenses>["lease"]>[0]
) =>
  Effect.gen(function*() {
    const server = yield* Licenses
    const call = (n: number) =>
      Effect.suspend(() => {
        const started = performance.now()
        return server.lease(request(n)).pipe(
          Effect.map((): Timed => ({ latencyMs: performance.now() - started, granted: true })),
          Effect.catchIf(
            (error) => error._tag === "LicenseRefused" && error.code === "TOO_MANY_ACTIVATIONS",
            () => Effect.succeed<Timed>({ latencyMs: performance.now() - started, granted: false })
          ),
          Effect.orDieWith((error) => new Error(`${label} ${n} failed: ${error._tag}: ${error.message}`))
        )
      })
    const started = performance.now()
    const outcomes = yield* Effect.forEach(Array.from({ length: total }, (_, n) => n), call, { concurrency })
    const elapsedMs = performance.now() - started
    const latencies = Float64Array.from(outcomes, (outcome) => outcome.latencyMs).sort()
    const grantedCalls = outcomes.flatMap((outcome, n) => outcome.granted ? [n] : [])
    const granted = grantedCalls.length
    const measured = {
      perSec: perSecond(total, elapsedMs),
      p50Ms: roundTo(2)(percentile(latencies, 0.5)),
      p99Ms: roundTo(2)(percentile(latencies, 0.99)),
      granted,
      refused: total - granted,
      grantedCalls
    }
    yield* log(
      `${label}: ${total} in ${Math.round(elapsedMs)} ms, ${measured.perSec}/s at ${concurrency} callers, ` +
        `p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms; ${granted} granted, ${measured.refused} refused ` +
        `(TOO_MANY_ACTIVATIONS)`
    )
    return measured
  })

/** `Lease.verify` of one signed lease in a tight loop for about `verifySeconds`; every one must pass. */
const verifications = (signed: SignedLease, publicKey: string, nonce: string) =>
  Effect.gen(function*() {
    const now = yield* DateTime.now
    const verifyOnce = () =>
      Lease.verify({
        signed,
        publicKey,
        verifier: Ed25519.verifier,
        expectedNonce: Option.some(nonce),
        now,
        lastIssuedAt: Option.none()
      })
    const first = verifyOnce()
    if (Either.isLeft(first)) return yield* Effect.dieMessage(`the lease did not verify: ${first.left.code}`)
    for (let i = 0; i < 1_000; i++) verifyOnce()
    let count = 0
    const started = performance.now()
    const deadline = started + verifySeconds * 1000
    let elapsedMs = 0
    while (elapsedMs === 0) {
      for (let i = 0; i < 500; i++) {
        if (Either.isLeft(verifyOnce())) return yield* Effect.dieMessage("a verification failed")
      }
      count += 500
      const at = performance.now()
      if (at >= deadline) elapsedMs = at - started
    }
    const perSec = perSecond(count, elapsedMs)
    yield* log(`lease verification (Ed25519, in process): ${count} in ${Math.round(elapsedMs)} ms, ${perSec}/s`)
    return perSec
  })

/**
 * `total` usage batches through `Licenses.acceptUsage` from `installs` (each registered a report key
 * with a lease call), dealt round-robin; an install sends its batches in sequence order, 16 installs
 * at a time. Every batch must be taken.
 */
const usageBatches = (
  total: number,
  installs: ReadonlyArray<
    {
      readonly key: Parameters<Effect.Effect.Success<typeof Licenses>["lease"]>[0]["key"]
      readonly fingerprint: InstallFingerprint
    }
  >
) =>
  Effect.gen(function*() {
    const server = yield* Licenses
    const streams = yield* Effect.forEach(installs, (install, i) =>
      Effect.gen(function*() {
        const pair = Ed25519.generateKeyPair()
        const lease = yield* server.lease({ ...install, version, nonce: `usage-${i}-nonce`, reportKey: pair.publicKey })
        const { licenseId } = Lease.verify({
          signed: lease,
          publicKey: server.publicKey,
          verifier: Ed25519.verifier,
          expectedNonce: Option.none(),
          now: yield* DateTime.now,
          lastIssuedAt: Option.none()
        }).pipe(Either.getOrThrow)
        return {
          licenseId: licenseId as LicenseId,
          fingerprint: install.fingerprint,
          signer: Ed25519.unsafeSigner(pair.privateKey)
        }
      }), { concurrency }).pipe(Effect.orDieWith((error) => new Error(`a report key was refused: ${error._tag}`)))
    const entries = Array.from({ length: 50 }, (_, n) => ({
      guild: `guild-hash-${n}`,
      day: "2026-12-01",
      meter: n % 2 === 0 ? "commands" : "ai_tokens",
      amount: n * 7
    }))
    // Signed ahead, so the figure is the server's work only.
    const perStream = streams.map((stream, s) =>
      Array.from({ length: Math.floor(total / streams.length) + (s < total % streams.length ? 1 : 0) }, (_, n) =>
        UsageBatches.sign(
          stream.signer.sign,
          UsageBatch.make({
            licenseId: stream.licenseId,
            fingerprint: stream.fingerprint,
            sequence: n + 1,
            periodStart: "2026-12-01",
            periodEnd: "2026-12-01",
            entries
          })
        ))
    )
    const latencies: Array<number> = []
    const started = performance.now()
    yield* Effect.forEach(perStream, (batches) =>
      Effect.forEach(batches, (batch) =>
        Effect.suspend(() => {
          const at = performance.now()
          return server.acceptUsage(batch).pipe(
            Effect.tap(() =>
              Effect.sync(() =>
                latencies.push(performance.now() - at)
              )
            ),
            Effect.orDieWith((error) => new Error(`a usage batch was refused: ${error._tag}: ${error.message}`))
          )
        }), { discard: true }), { concurrency, discard: true })
    const elapsedMs = performance.now() - started
    const sorted = Float64Array.from(latencies).sort()
    const measured = {
      perSec: perSecond(total, elapsedMs),
      p50Ms: roundTo(2)(percentile(sorted, 0.5)),
      p99Ms: roundTo(2)(percentile(sorted, 0.99))
    }
    yield* log(
      `usage batches (50 entries): ${total} from ${streams.length} installs in ${Math.round(elapsedMs)} ms, ` +
        `${measured.perSec}/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms`
    )
    return measured
  })

/**
 * A tenant with `guilds` guilds and `usageRows` daily usage rows (written
 * straight to the tables), exported (dump, sign, tar.gz) and then imported
 * back (unpack, verify every checksum and the signature, replace the rows in
 * one transaction).
 */
const exportAndImport = (guilds: number, usageRows: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const tenant = yield* (yield* Tenancy).createTenant({ name: "Exported", planKey: PlanKey.make("enterprise") })
    yield* sql`
      INSERT INTO guilds (tenant_id, guild_id, name, owner_id, status, config, installed_at)
      SELECT ${tenant.id}, (700000000000000000 + n)::text, 'Guild ' || n, '300000000000000001', 'installed', '{}', now()
      FROM generate_series(1, ${guilds}) AS n
    `
    yield* sql`
      INSERT INTO guild_directory (guild_id, tenant_id) SELECT guild_id, tenant_id FROM guilds WHERE tenant_id = ${tenant.id}
    `
    const perGuild = Math.ceil(usageRows / guilds)
    yield* sql`
      INSERT INTO quota_daily_usage (tenant_id, guild_id, day, meter, used)
      SELECT ${tenant.id}, (700000000000000000 + g)::text, date '2026-01-01' + (n / 2),
             CASE WHEN n % 2 = 0 THEN 'commands' ELSE 'ai_tokens' END, n + 1
      FROM generate_series(1, ${guilds}) AS g, generate_series(0, ${perGuild - 1}) AS n
      WHERE (g - 1) * ${perGuild} + n < ${usageRows}
    `
    const exports = yield* Exports
    const exportStarted = performance.now()
    const exported = yield* exports.exportNow(tenant.id, "bench")
    const exportMs = Math.round(performance.now() - exportStarted)
    const archive = yield* exports.archive(tenant.id, exported.id)
    const importStarted = performance.now()
    const summary = yield* exports.importArchive(archive, { actor: "bench" })
    const importMs = Math.round(performance.now() - importStarted)
    const rows = summary.tables.reduce((sum, table) => sum + table.rows, 0)
    yield* log(
      `export: ${guilds} guilds, ${usageRows} usage rows → ${archive.length} bytes in ${exportMs} ms; ` +
        `import (verify + restore ${rows} rows in one transaction) in ${importMs} ms`
    )
    return { exportMs, importMs, archiveBytes: archive.length }
  })

const program = Effect.gen(function*() {
  const settings = yield* BenchSettings
  yield* log(
    `bench:licensing: ${settings.licenses} licenses, ${settings.activations} activations, ` +
      `${settings.refreshes} refreshes, ${concurrency} callers; ` +
      `${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(2)}`
  )
  const keys = yield* seed(settings.licenses)
  const server = yield* Licenses

  // Install n asks for license n % licenses: each license grants 5 of its installs and refuses the rest.
  const activation = yield* leases("activations", settings.activations, (n) => ({
    key: keys[n % keys.length]!,
    fingerprint: fingerprintOf(n),
    version,
    nonce: `activate-${n}-nonce`
  }))
  const perLicense = (license: number) => Math.ceil((settings.activations - license) / keys.length)
  const expectedGranted = keys.reduce((sum, _, license) => sum + Math.min(maxActivations, perLicense(license)), 0)
  if (activation.granted !== expectedGranted) {
    return yield* Effect.dieMessage(`expected ${expectedGranted} activations granted, got ${activation.granted}`)
  }
  const granted = activation.grantedCalls

  // The activated installs refresh in turn; a refresh is never refused.
  const refresh = yield* leases("refreshes", settings.refreshes, (n) => {
    const install = granted[n % granted.length]!
    return {
      key: keys[install % keys.length]!,
      fingerprint: fingerprintOf(install),
      version,
      nonce: `refresh-${n}-nonce`
    }
  })
  if (refresh.refused > 0) return yield* Effect.dieMessage(`${refresh.refused} refreshes were refused`)

  const nonce = "verify-bench-nonce"
  const install = granted[0]!
  const signed = yield* server.lease({
    key: keys[install % keys.length]!,
    fingerprint: fingerprintOf(install),
    version,
    nonce
  }).pipe(
    Effect.orDieWith((error) => new Error(`the lease to verify was refused: ${error.message}`))
  )
  const leaseVerificationsPerSec = yield* verifications(signed, server.publicKey, nonce)
  const usage = yield* usageBatches(
    settings.usageBatches,
    granted.slice(0, 64).map((install) => ({ key: keys[install % keys.length]!, fingerprint: fingerprintOf(install) }))
  )

  const moved = yield* exportAndImport(settings.exportGuilds, settings.exportUsageRows)
  const peakRssMiB = roundTo(1)(process.resourceUsage().maxRSS / 1024)
  yield* log(`peak RSS ${peakRssMiB} MiB`)
  return {
    bench: "licensing",
    licenses: settings.licenses,
    activationsPerSec: activation.perSec,
    activationP50Ms: activation.p50Ms,
    activationP99Ms: activation.p99Ms,
    activationsGranted: activation.granted,
    activationsRefused: activation.refused,
    refreshesPerSec: refresh.perSec,
    refreshP50Ms: refresh.p50Ms,
    refreshP99Ms: refresh.p99Ms,
    leaseVerificationsPerSec,
    usageBatchesPerSec: usage.perSec,
    usageBatchP50Ms: usage.p50Ms,
    usageBatchP99Ms: usage.p99Ms,
    exportGuilds: settings.exportGuilds,
    exportUsageRows: settings.exportUsageRows,
    exportMs: moved.exportMs,
    importMs: moved.importMs,
    archiveBytes: moved.archiveBytes,
    peakRssMiB
  }
}).pipe(
  Effect.provide(licensingRuntime),
  // After the runtime's scope closes (the schema dropped), so the result is the last line.
  Effect.flatMap((result) => log(JSON.stringify(result)))
)

// Warnings and errors only: the license server logs a line per license issued at info.
NodeRuntime.runMain(program.pipe(Logger.withMinimumLogLevel(LogLevel.Warning), Effect.orDie), {
  disablePrettyLogger: true
})
