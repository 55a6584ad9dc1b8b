import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"
import { Ed25519 } from "../../adapters/crypto/index.js"
import { type LicenseId, PlanKey, UsageBatch, UsageBatches } from "../../core/index.js"
import { rawJson, tenantWithGuild, TestServer } from "./harness.js"

const fingerprint = { applicationId: "900000000000000001", installId: "install-usage" }

describe("usage reports over HTTP", () => {
  it.effect("POST /licenses/usage answers 200, 400, 401, 404 and 409 with its codes; only the operator lists them", () =>
    Effect.gen(function*() {
      const { key: tenantKey, operatorKey, tenant } = yield* tenantWithGuild("Reporter", PlanKey.make("premium"))
      const issued = yield* rawJson("POST", `/tenants/${tenant.id}/licenses`, operatorKey, {})
      const licenseId = issued.body.license.id as LicenseId
      const pair = Ed25519.generateKeyPair()
      const signer = Ed25519.unsafeSigner(pair.privateKey)
      const batch = (sequence: number, sign = signer.sign) =>
        UsageBatches.sign(
          sign,
          UsageBatch.make({
            licenseId,
            fingerprint,
            sequence,
            periodStart: "2026-11-30",
            periodEnd: "2026-11-30",
            entries: [{ guild: "hashed", day: "2026-11-30", meter: "commands", amount: 3 }]
          })
        )
      const send = (body: unknown) => rawJson("POST", "/licenses/usage", operatorKey, body)

      // Before the install registered a key: 404 NOT_ACTIVATED.
      const early = yield* send(batch(1))
      assert.deepStrictEqual([early.status, early.body.code], [404, "NOT_ACTIVATED"])
      const activated = yield* rawJson("POST", "/licenses/activate", operatorKey, {
        key: issued.body.key,
        fingerprint,
        version: "0.1.0",
        nonce: randomUUID(),
        reportKey: pair.publicKey
      })
      assert.strictEqual(activated.status, 200)

      const taken = yield* send(batch(1))
      assert.deepStrictEqual([taken.status, taken.body.sequence], [200, 1])
      const replay = yield* send(batch(1))
      assert.deepStrictEqual([replay.status, replay.body.code, replay.body.expectedSequence], [409, "REPLAYED", 2])
      const gap = yield* send(batch(3))
      assert.deepStrictEqual([gap.status, gap.body.code, gap.body.expectedSequence], [409, "GAP", 2])
      const forged = yield* send(batch(2, Ed25519.unsafeSigner(Ed25519.generateKeyPair().privateKey).sign))
      assert.deepStrictEqual([forged.status, forged.body.code], [401, "BAD_SIGNATURE"])
      const unreadable = yield* send({ batch: "not-a-batch", signature: "x" })
      assert.strictEqual(unreadable.status, 400)

      const listed = yield* rawJson("GET", `/tenants/${tenant.id}/licenses/${licenseId}/usage-reports`, operatorKey)
      assert.strictEqual(listed.status, 200)
      assert.deepStrictEqual(listed.body.map((r: { sequence: number }) => r.sequence), [1])
      const byTenant = yield* rawJson("GET", `/tenants/${tenant.id}/licenses/${licenseId}/usage-reports`, tenantKey)
      assert.strictEqual(byTenant.status, 403)
    }).pipe(Effect.provide(TestServer)))
})
