import { HttpServer } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Option, Redacted, Ref, TestClock } from "effect"
import { NodeCrypto, SignatureVerifierEd25519, SigningKeysEd25519 } from "../../adapters/crypto/index.js"
import { LicenseServerHttp } from "../../adapters/http/index.js"
import { QuotaStoreMemory, RepositoriesMemory } from "../../adapters/memory/index.js"
import {
  Crypto,
  hashUsageId,
  LicenseId,
  LicenseServer,
  LicenseServerUnreachable,
  PlanKey,
  PlatformSettingsRepo,
  QuotaStore,
  SelfHostLicense,
  SelfHostLicenseSettings,
  type SignedUsageBatch,
  TenantRepo,
  usageHashSecretSetting,
  UsageReporter
} from "../../core/index.js"
import { rawJson, tenantWithGuild, TestServer } from "../http/harness.js"
import { install, makeTenant, newGuildId } from "../support/fixtures.js"

/**
 * A hosted runtime (the license server over HTTP) and a self-host install
 * reporting its usage to it, on one TestClock: batches follow good refreshes,
 * a server away keeps them, and they are resent later with the same sequence.
 */

const selfHost = (options: { readonly baseUrl: string; readonly key: string; readonly publicKey: string }) =>
  Effect.gen(function*() {
    const down = yield* Ref.make(false)
    const attempts = yield* Ref.make<ReadonlyArray<SignedUsageBatch>>([])
    const http = yield* Effect.provide(LicenseServer, LicenseServerHttp(options.baseUrl))
    const unlessDown = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | LicenseServerUnreachable> =>
      Effect.flatMap(
        Ref.get(down),
        (isDown): Effect.Effect<A, E | LicenseServerUnreachable> =>
          isDown ? Effect.fail(new LicenseServerUnreachable({ message: "connection refused" })) : effect
      )
    const switchable = Layer.succeed(
      LicenseServer,
      LicenseServer.of({
        lease: (request) => unlessDown(http.lease(request)),
        reportUsage: (batch) =>
          Effect.zipRight(Ref.update(attempts, (sent) => [...sent, batch]), unlessDown(http.reportUsage(batch)))
      })
    )
    const outside = Layer.mergeAll(
      switchable,
      SignatureVerifierEd25519,
      SigningKeysEd25519,
      NodeCrypto,
      QuotaStoreMemory,
      Layer.succeed(SelfHostLicenseSettings, {
        key: Option.some(Redacted.make(options.key)),
        file: Option.none(),
        publicKey: options.publicKey,
        applicationId: "900000000000000042",
        version: "0.1.0"
      })
    )
    const runtime = SelfHostLicense.layer.pipe(
      Layer.provideMerge(UsageReporter.layer),
      Layer.provideMerge(outside),
      Layer.provideMerge(RepositoriesMemory)
    )
    const context = yield* Layer.build(runtime)
    const tenant = makeTenant({ planKey: "free", name: "Self-hosted" })
    yield* Effect.provide(Effect.flatMap(TenantRepo, (tenants) => tenants.insert(tenant)), context)
    const guildId = newGuildId()
    yield* Effect.provide(install({ tenantId: tenant.id, guildId }), context)
    /** Commands used in the guild now (counted in the install's daily usage). */
    const use = (amount: number) =>
      Effect.provide(
        Effect.gen(function*() {
          const quotas = yield* QuotaStore
          const crypto = yield* Crypto
          yield* quotas.consume({
            tenantId: tenant.id,
            guildId,
            charges: [{ meter: "commands", scopeKey: guildId, window: "day", limit: -1, amount }],
            idempotencyKey: yield* crypto.uuid,
            now: yield* DateTime.now
          })
        }),
        context
      )
    const hashed = Effect.provide(
      Effect.gen(function*() {
        const secret = Option.getOrThrow(yield* (yield* PlatformSettingsRepo).get(usageHashSecretSetting))
        return hashUsageId((yield* Crypto).hmacSha256, secret, "guild", guildId)
      }),
      context
    )
    const license = yield* Effect.provide(SelfHostLicense, context)
    const reporter = yield* Effect.provide(UsageReporter, context)
    return { check: license.check, installId: license.installId, reporter, down, attempts, use, guildId, hashed, http }
  })

/** A usage report as the operator's endpoint answers it. */
interface Report {
  readonly sequence: number
  readonly periodStart: string
  readonly periodEnd: string
  readonly fingerprint: { readonly installId: string }
  readonly entries: ReadonlyArray<unknown>
}

describe("licensing: usage reports from a self-host install to the hosted server", () => {
  it.scoped("batches follow good refreshes; with the server away they are kept and resent with the same sequence; replays are refused", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-12-01T12:00:00Z"))
      const { operatorKey, tenant } = yield* tenantWithGuild("Customer", PlanKey.make("premium"))
      const issued = yield* rawJson("POST", `/tenants/${tenant.id}/licenses`, operatorKey, { maxActivations: 1 })
      const licenseId: string = issued.body.license.id
      const { body: serverKey } = yield* rawJson("GET", "/licenses/public-key", operatorKey)
      const address = yield* HttpServer.addressWith((address) =>
        Effect.succeed(address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : "")
      )
      const site = yield* selfHost({ baseUrl: address, key: issued.body.key, publicKey: serverKey.publicKey })
      const reports = Effect.map(
        rawJson("GET", `/tenants/${tenant.id}/licenses/${licenseId}/usage-reports`, operatorKey),
        (answer) => answer.body as ReadonlyArray<Report>
      )

      // Day 1: activation registers the report key; the first round reports the closed days before it (nothing used).
      yield* site.use(3)
      assert.strictEqual((yield* site.check)._tag, "Licensed")
      const first = yield* reports
      assert.deepStrictEqual(first.map((r) => [r.sequence, r.periodStart, r.periodEnd, r.entries.length]), [
        [1, "2026-11-01", "2026-11-30", 0]
      ])
      assert.strictEqual(first[0]?.fingerprint.installId, site.installId)
      // A refresh the same day batches nothing new.
      yield* site.use(4)
      assert.strictEqual((yield* site.check)._tag, "Licensed")
      assert.strictEqual((yield* reports).length, 1)

      // Day 2, the server away: day 1's batch (sequence 2) is made, kept, not sent.
      yield* TestClock.adjust("1 day")
      yield* Ref.set(site.down, true)
      const away = yield* site.reporter.report({
        licenseId: LicenseId.make(licenseId),
        fingerprint: { applicationId: "900000000000000042", installId: site.installId }
      })
      assert.deepStrictEqual([away.sent, away.pending], [[], [2]])
      assert.strictEqual(Option.getOrThrow(away.stoppedBy)._tag, "LicenseServerUnreachable")
      // The install keeps serving on its stored lease meanwhile (no round runs without a good refresh).
      assert.strictEqual((yield* site.check)._tag, "OfflineGrace")

      // Day 4, back: the good refresh sends the kept batch 2 (the same bytes), then batch 3 (days 2 and 3).
      yield* TestClock.adjust("2 days")
      yield* Ref.set(site.down, false)
      assert.strictEqual((yield* site.check)._tag, "Licensed")
      const attempts = yield* Ref.get(site.attempts)
      const sentTwice = attempts.filter((batch) => batch.batch === attempts[1]?.batch)
      assert.strictEqual(sentTwice.length, 2)
      const after = yield* reports
      assert.deepStrictEqual(after.map((r) => [r.sequence, r.periodStart, r.periodEnd]), [
        [1, "2026-11-01", "2026-11-30"],
        [2, "2026-12-01", "2026-12-01"],
        [3, "2026-12-02", "2026-12-03"]
      ])
      // Day 1's usage, under the guild's hash: never its id.
      assert.deepStrictEqual(after[1]?.entries, [
        { guild: yield* site.hashed, day: "2026-12-01", meter: "commands", amount: 7 }
      ])
      assert.notInclude(JSON.stringify(after), site.guildId)

      // A replayed batch, straight over HTTP: 409 REPLAYED with the sequence expected.
      const replay = yield* Effect.flip(site.http.reportUsage(sentTwice[0] as SignedUsageBatch))
      assert.strictEqual(replay._tag, "UsageReportConflict")
      if (replay._tag === "UsageReportConflict") {
        assert.strictEqual(replay.code, "REPLAYED")
        assert.strictEqual(replay.expectedSequence, 4)
      }
      // Nothing left to send.
      const idle = yield* site.reporter.report({
        licenseId: LicenseId.make(licenseId),
        fingerprint: { applicationId: "900000000000000042", installId: site.installId }
      })
      assert.deepStrictEqual([idle.sent, idle.pending], [[], []])
    }).pipe(Effect.provide(TestServer)))
})
