import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Either, Encoding, Layer, Redacted } from "effect"
import { randomUUID } from "node:crypto"
import { Ed25519, NodeCrypto } from "../../adapters/crypto/index.js"
import { RepositoriesMemory } from "../../adapters/memory/index.js"
import { RepositoriesSql } from "../../adapters/postgres/index.js"
import {
  hashUsageId,
  type LicenseId,
  Licenses,
  PlanCatalog,
  PlanKey,
  type SignedUsageBatch,
  TenantRepo,
  UsageBatch,
  UsageBatches
} from "../../core/index.js"
import { LicensesLive } from "../../programs/Licensing.js"
import { makeTenant } from "../support/fixtures.js"
import { sqlDatabases } from "../support/stores.js"

/** An install: its fingerprint and its own report key pair. */
const newInstall = () => {
  const pair = Ed25519.generateKeyPair()
  return {
    fingerprint: { applicationId: "900000000000000042", installId: randomUUID() },
    publicKey: pair.publicKey,
    signer: Ed25519.unsafeSigner(pair.privateKey)
  }
}
type Install = ReturnType<typeof newInstall>

const batchOf = (install: Install, licenseId: LicenseId, sequence: number, signWith = install): SignedUsageBatch =>
  UsageBatches.sign(
    signWith.signer.sign,
    UsageBatch.make({
      licenseId,
      fingerprint: install.fingerprint,
      sequence,
      periodStart: "2026-11-30",
      periodEnd: "2026-11-30",
      entries: [{ guild: "g-hash", day: "2026-11-30", meter: "commands", amount: sequence * 10 }]
    })
  )

describe("usage reports: the pure parts", () => {
  it("hashes ids stably per secret and kind, differently across installs", () => {
    const hmac = (key: string, message: string) => Ed25519.keyIdOf(`${key}|${message}`)
    assert.strictEqual(hashUsageId(hmac, "s1", "guild", "123"), hashUsageId(hmac, "s1", "guild", "123"))
    assert.notStrictEqual(hashUsageId(hmac, "s1", "guild", "123"), hashUsageId(hmac, "s2", "guild", "123"))
    assert.notStrictEqual(hashUsageId(hmac, "s1", "guild", "123"), hashUsageId(hmac, "s1", "user", "123"))
    assert.notInclude(hashUsageId(hmac, "s1", "guild", "123456789012345678"), "123456789012345678")
  })

  it("signs the canonical batch (a resend is byte-identical), verifies it, and catches any change", () => {
    const install = newInstall()
    const licenseId = randomUUID() as LicenseId
    const signed = batchOf(install, licenseId, 1)
    assert.deepStrictEqual(batchOf(install, licenseId, 1), signed)
    assert.isTrue(UsageBatches.verify(signed, install.publicKey, Ed25519.verifier))
    assert.isFalse(UsageBatches.verify(signed, newInstall().publicKey, Ed25519.verifier))
    const decoded = JSON.parse(Either.getOrThrow(Encoding.decodeBase64UrlString(signed.batch)))
    decoded.entries[0].amount = 1
    const tampered = { ...signed, batch: Encoding.encodeBase64Url(JSON.stringify(decoded)) }
    assert.isFalse(UsageBatches.verify(tampered, install.publicKey, Ed25519.verifier))
    const read = UsageBatches.read(signed)
    assert.isTrue(Either.isRight(read) && read.right.sequence === 1)
    assert.isTrue(Either.isLeft(UsageBatches.read({ batch: "!!", signature: "x" })))
  })
})

type Server = Licenses | TenantRepo

const serverLayer = <R>(repositories: Layer.Layer<R>): Layer.Layer<Server> =>
  LicensesLive.pipe(
    Layer.provideMerge(Layer.mergeAll(repositories, NodeCrypto, PlanCatalog.builtin)),
    Layer.orDie
  ) as Layer.Layer<Server>

const stores = [
  { name: "memory", layer: () => serverLayer(RepositoriesMemory) },
  ...(await sqlDatabases()).map((database) => ({
    name: database.name,
    layer: () => serverLayer(RepositoriesSql.pipe(Layer.provide(database.layer())))
  }))
]

/** A tenant with a license, and an install of it activated with its report key. */
const licensed = Effect.gen(function*() {
  const licenses = yield* Licenses
  const tenant = makeTenant({ planKey: "premium" })
  yield* (yield* TenantRepo).insert(tenant)
  const { key, license } = yield* licenses.issue(tenant.id, { planKey: PlanKey.make("premium"), maxActivations: 3 })
  const install = newInstall()
  const activate = (who: Install, reportKey = who.publicKey) =>
    licenses.lease({ key, fingerprint: who.fingerprint, version: "0.1.0", nonce: randomUUID(), reportKey })
  yield* activate(install)
  return { tenant, license, key, install, activate }
})

const refusal = <A, E extends { readonly _tag: string; readonly code?: string; readonly expectedSequence?: number }>(
  effect: Effect.Effect<A, E>
) =>
  Effect.map(
    Effect.flip(effect),
    (error) => ({ tag: error._tag, code: error.code, expected: error.expectedSequence })
  )

for (const store of stores) {
  layer(store.layer(), { timeout: 60_000 })(`usage reports on the license server (${store.name})`, (it) => {
    it.effect("takes 1, 2, 3 in order; refuses a replay, a gap and a tampered batch with their codes", () =>
      Effect.gen(function*() {
        const licenses = yield* Licenses
        const { install, license, tenant } = yield* licensed
        for (const sequence of [1, 2, 3]) {
          const receipt = yield* licenses.acceptUsage(batchOf(install, license.id, sequence))
          assert.strictEqual(receipt.sequence, sequence)
        }
        assert.deepStrictEqual(yield* refusal(licenses.acceptUsage(batchOf(install, license.id, 2))), {
          tag: "UsageReportConflict",
          code: "REPLAYED",
          expected: 4
        })
        assert.deepStrictEqual(yield* refusal(licenses.acceptUsage(batchOf(install, license.id, 5))), {
          tag: "UsageReportConflict",
          code: "GAP",
          expected: 4
        })
        const good = batchOf(install, license.id, 4)
        const altered = batchOf(install, license.id, 4, newInstall())
        assert.deepStrictEqual(
          yield* refusal(licenses.acceptUsage({ batch: good.batch, signature: altered.signature })),
          {
            tag: "UsageReportBadSignature",
            code: "BAD_SIGNATURE",
            expected: undefined
          }
        )
        assert.strictEqual(
          (yield* Effect.flip(licenses.acceptUsage({ batch: "%%%", signature: "" })))._tag,
          "InvalidInput"
        )
        // Nothing refused was stored; 4 is still the next one.
        assert.strictEqual((yield* licenses.acceptUsage(good)).sequence, 4)

        const reports = yield* licenses.usageReports(tenant.id, license.id)
        assert.deepStrictEqual(reports.map((r) => [r.sequence, r.entries[0]?.amount, r.periodStart]), [
          [1, 10, "2026-11-30"],
          [2, 20, "2026-11-30"],
          [3, 30, "2026-11-30"],
          [4, 40, "2026-11-30"]
        ])
        assert.deepStrictEqual(reports[0]?.fingerprint, install.fingerprint)
        // Another tenant cannot list them.
        const other = makeTenant({ planKey: "free" })
        yield* (yield* TenantRepo).insert(other)
        assert.strictEqual((yield* Effect.flip(licenses.usageReports(other.id, license.id)))._tag, "LicenseNotFound")
      }))

    it.effect("refuses another license's stream, an install that never registered a key, and a swapped key", () =>
      Effect.gen(function*() {
        const licenses = yield* Licenses
        const first = yield* licensed
        const second = yield* licensed
        // The first install claims the second license: it never activated it.
        assert.strictEqual(
          (yield* refusal(licenses.acceptUsage(batchOf(first.install, second.license.id, 1)))).code,
          "NOT_ACTIVATED"
        )
        // The first install's key signs a batch naming the second install's stream.
        assert.strictEqual(
          (yield* refusal(licenses.acceptUsage(batchOf(second.install, second.license.id, 1, first.install)))).code,
          "BAD_SIGNATURE"
        )
        // An install activated without a report key (an older version) has no stream.
        const older = newInstall()
        yield* licenses.lease({
          key: first.key,
          fingerprint: older.fingerprint,
          version: "0.0.9",
          nonce: randomUUID()
        })
        assert.strictEqual(
          (yield* refusal(licenses.acceptUsage(batchOf(older, first.license.id, 1)))).code,
          "NOT_ACTIVATED"
        )
        // Refreshing with another key does not take over the stream: the first key stays.
        const intruder = newInstall()
        yield* first.activate(first.install, intruder.publicKey)
        assert.strictEqual(
          (yield* refusal(licenses.acceptUsage(batchOf(first.install, first.license.id, 1, intruder)))).code,
          "BAD_SIGNATURE"
        )
        assert.strictEqual((yield* licenses.acceptUsage(batchOf(first.install, first.license.id, 1))).sequence, 1)
        // A malformed report key is refused at activation.
        const bad = yield* Effect.flip(
          licenses.lease({
            key: Redacted.make(Redacted.value(first.key)),
            fingerprint: newInstall().fingerprint,
            version: "0.1.0",
            nonce: randomUUID(),
            reportKey: "not a key"
          })
        )
        assert.strictEqual(bad._tag, "InvalidInput")
      }))

    it.effect("the same sequence sent 20 times at once is taken exactly once", () =>
      Effect.gen(function*() {
        const licenses = yield* Licenses
        const { install, license, tenant } = yield* licensed
        yield* licenses.acceptUsage(batchOf(install, license.id, 1))
        const results = yield* Effect.forEach(
          Array.from({ length: 20 }, () => batchOf(install, license.id, 2)),
          (batch) => Effect.either(licenses.acceptUsage(batch)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter(Either.isRight).length, 1)
        assert.isTrue(
          results.every((result) =>
            Either.isRight(result) ||
            (result.left._tag === "UsageReportConflict" && result.left.code === "REPLAYED")
          )
        )
        assert.deepStrictEqual((yield* licenses.usageReports(tenant.id, license.id)).map((r) => r.sequence), [1, 2])
      }))
  })
}
