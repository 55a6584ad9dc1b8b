import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Either, Option, TestClock } from "effect"
import { Ed25519 } from "../../adapters/crypto/index.js"
import { activationLimits } from "../../adapters/http/Licenses/Http.js"
import { Lease, PlanKey } from "../../core/index.js"
import { rawJson, tenantWithGuild, TestServer } from "./harness.js"

const install = (n: number) => ({ applicationId: "900000000000000001", installId: `install-${n}` })
const leaseRequest = (key: string, n: number, nonce = `nonce-${n}-${Math.random()}`) => ({
  key,
  fingerprint: install(n),
  version: "0.1.0",
  nonce
})

describe("the license server over HTTP", () => {
  it.effect("the operator issues a license; an install activates and refreshes on a signed lease; a revoke refuses the next refresh", () =>
    Effect.gen(function*() {
      const { key: tenantKey, operatorKey, tenant } = yield* tenantWithGuild("Self Hoster", PlanKey.make("premium"))

      // Only the operator issues licenses.
      const byTenant = yield* rawJson("POST", `/tenants/${tenant.id}/licenses`, tenantKey, { maxActivations: 1 })
      assert.strictEqual(byTenant.status, 403)
      const issued = yield* rawJson("POST", `/tenants/${tenant.id}/licenses`, operatorKey, { maxActivations: 1 })
      assert.strictEqual(issued.status, 201)
      const key: string = issued.body.key
      assert.match(key, /^GH1\.[\w-]+\.[\w-]+$/)
      assert.strictEqual(issued.body.license.planKey, "premium")

      const { body: server } = yield* rawJson("GET", "/licenses/public-key", operatorKey)
      const request = leaseRequest(key, 1)
      const activated = yield* rawJson("POST", "/licenses/activate", operatorKey, request)
      assert.strictEqual(activated.status, 200)
      const verified = Lease.verify({
        signed: activated.body,
        publicKey: server.publicKey,
        verifier: Ed25519.verifier,
        expectedNonce: Option.some(request.nonce),
        now: yield* DateTime.now,
        lastIssuedAt: Option.none()
      })
      assert.isTrue(Either.isRight(verified))
      if (Either.isRight(verified)) {
        assert.strictEqual(verified.right.plan, "premium")
        assert.strictEqual(verified.right.tenantId, tenant.id)
        assert.strictEqual(verified.right.nonce, request.nonce)
      }

      // One slot: a second install is refused with its code.
      const second = yield* rawJson("POST", "/licenses/activate", operatorKey, leaseRequest(key, 2))
      assert.strictEqual(second.status, 403)
      assert.strictEqual(second.body.code, "TOO_MANY_ACTIVATIONS")

      const refreshed = yield* rawJson("POST", "/licenses/refresh", operatorKey, leaseRequest(key, 1))
      assert.strictEqual(refreshed.status, 200)

      const revoked = yield* rawJson(
        "POST",
        `/tenants/${tenant.id}/licenses/${issued.body.license.id}/revoke`,
        operatorKey
      )
      assert.strictEqual(revoked.status, 200)
      const afterRevoke = yield* rawJson("POST", "/licenses/refresh", operatorKey, leaseRequest(key, 1))
      assert.strictEqual(afterRevoke.status, 403)
      assert.strictEqual(afterRevoke.body.code, "REVOKED")
    }).pipe(Effect.provide(TestServer)))

  it.effect("a tampered key is 400; an unknown license's key 403 NOT_FOUND; a regenerated key replaces the old one", () =>
    Effect.gen(function*() {
      const { operatorKey, tenant } = yield* tenantWithGuild("Key Owner", PlanKey.make("basic"))
      const issued = yield* rawJson("POST", `/tenants/${tenant.id}/licenses`, operatorKey, {})
      const key: string = issued.body.key
      const [prefix, payload, signature] = key.split(".")
      const flipped = `${prefix}.${payload}.${signature!.startsWith("A") ? "B" : "A"}${signature!.slice(1)}`
      const tampered = yield* rawJson("POST", "/licenses/activate", operatorKey, leaseRequest(flipped, 1))
      assert.strictEqual(tampered.status, 400)

      const regenerated = yield* rawJson(
        "POST",
        `/tenants/${tenant.id}/licenses/${issued.body.license.id}/regenerate`,
        operatorKey,
        { overlapSeconds: 0 }
      )
      assert.strictEqual(regenerated.status, 200)
      const oldKey = yield* rawJson("POST", "/licenses/activate", operatorKey, leaseRequest(key, 1))
      assert.strictEqual(oldKey.status, 403)
      assert.strictEqual(oldKey.body.code, "NOT_FOUND")
      const newKey = yield* rawJson("POST", "/licenses/activate", operatorKey, leaseRequest(regenerated.body.key, 1))
      assert.strictEqual(newKey.status, 200)
    }).pipe(Effect.provide(TestServer)))

  it.effect("activation calls are limited per key (20 a minute) and per address (60 a minute), then allowed again", () =>
    Effect.gen(function*() {
      const { operatorKey, tenant } = yield* tenantWithGuild("Busy", PlanKey.make("premium"))
      const issue = Effect.map(
        rawJson("POST", `/tenants/${tenant.id}/licenses`, operatorKey, { maxActivations: 100 }),
        (issued): string => issued.body.key
      )
      const first = yield* issue
      for (let n = 0; n < activationLimits.perKey; n++) {
        assert.strictEqual(
          (yield* rawJson("POST", "/licenses/activate", operatorKey, leaseRequest(first, n))).status,
          200
        )
      }
      const limited = yield* rawJson("POST", "/licenses/refresh", operatorKey, leaseRequest(first, 0))
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.body._tag, "LicenseRateLimited")
      assert.isAbove(limited.body.retryAfterSeconds, 0)

      // Other keys from the same address share its budget; the call refused for its key did not use it.
      let used = activationLimits.perKey + 1
      let refusedAt: number | null = null
      while (refusedAt === null && used < activationLimits.perAddress + 5) {
        const key = yield* issue
        for (let n = 0; n < 10 && refusedAt === null; n++) {
          const answer = yield* rawJson("POST", "/licenses/activate", operatorKey, leaseRequest(key, 1_000 + used))
          used++
          if (answer.status === 429) refusedAt = used
          else assert.strictEqual(answer.status, 200)
        }
      }
      assert.strictEqual(refusedAt, activationLimits.perAddress + 2)

      // A minute later the window has passed.
      yield* TestClock.adjust("61 seconds")
      assert.strictEqual((yield* rawJson("POST", "/licenses/refresh", operatorKey, leaseRequest(first, 0))).status, 200)
    }).pipe(Effect.provide(TestServer)))
})
