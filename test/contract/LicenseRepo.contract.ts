import { assert, layer } from "@effect/vitest"
import { DateTime, Effect, Option } from "effect"
import { randomUUID } from "node:crypto"
import { License, LicenseId, LicenseRepo, PlanKey, TenantRepo } from "../../core/index.js"
import { at, makeTenant } from "../support/fixtures.js"
import type { Store } from "../support/stores.js"

export type LicensePorts = TenantRepo | LicenseRepo

const newTenant = Effect.gen(function*() {
  const tenant = makeTenant({ planKey: "premium" })
  yield* (yield* TenantRepo).insert(tenant)
  return tenant.id
})

const newLicense = (tenantId: License["tenantId"], maxActivations = 2) =>
  License.make({
    id: LicenseId.make(randomUUID()),
    tenantId,
    planKey: PlanKey.make("premium"),
    flags: ["xp-roles"],
    limits: { maxGuilds: 5, maxPaidRoles: -1 },
    maxActivations,
    status: "active",
    expiresAt: null,
    createdAt: at(1_000)
  })

const fingerprint = (n: number) => ({ applicationId: "900000000000000001", installId: `install-${n}` })

export const licenseRepoContract = (store: Store<LicensePorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`LicenseRepo on ${store.name}`, (it) => {
    it.effect("creates a license, finds it by its key's hash only, lists and updates it in its tenant", () =>
      Effect.gen(function*() {
        const repo = yield* LicenseRepo
        const tenantId = yield* newTenant
        const other = yield* newTenant
        const license = newLicense(tenantId)
        yield* repo.create(license, "hash-a", at(1_000))

        const found = yield* repo.findByKeyHash("hash-a", at(2_000))
        assert.deepStrictEqual(
          Option.map(found, (l) => [l.id, l.flags, l.limits]),
          Option.some([
            license.id,
            ["xp-roles"],
            { maxGuilds: 5, maxPaidRoles: -1 }
          ])
        )
        assert.isTrue(Option.isNone(yield* repo.findByKeyHash("hash-unknown", at(2_000))))
        assert.deepStrictEqual((yield* repo.list(tenantId)).map((l) => l.id), [license.id])
        // Another tenant sees nothing of it.
        assert.isTrue(Option.isNone(yield* repo.find(other, license.id)))
        assert.deepStrictEqual(yield* repo.list(other), [])
        assert.isTrue(Option.isNone(yield* repo.setStatus(other, license.id, "revoked")))

        const suspended = yield* repo.setStatus(tenantId, license.id, "suspended")
        assert.strictEqual(Option.getOrThrow(suspended).status, "suspended")
        assert.strictEqual(Option.getOrThrow(yield* repo.find(tenantId, license.id)).status, "suspended")
      }))

    it.effect("a regenerated key replaces the old one, which works only until the overlap ends", () =>
      Effect.gen(function*() {
        const repo = yield* LicenseRepo
        const tenantId = yield* newTenant
        const license = newLicense(tenantId)
        yield* repo.create(license, "old-hash", at(1_000))
        assert.isFalse(yield* repo.replaceKey(yield* newTenant, license.id, "stolen", at(2_000), at(2_000)))
        assert.isTrue(yield* repo.replaceKey(tenantId, license.id, "new-hash", at(2_000), at(5_000)))

        assert.isTrue(Option.isSome(yield* repo.findByKeyHash("old-hash", at(4_999))))
        assert.isTrue(Option.isNone(yield* repo.findByKeyHash("old-hash", at(5_000))))
        assert.isTrue(Option.isSome(yield* repo.findByKeyHash("new-hash", at(1_000_000))))
        assert.isTrue(Option.isNone(yield* repo.findByKeyHash("stolen", at(2_000))))
      }))

    it.effect("activations: a new install takes a slot, the same install again does not, a full license refuses", () =>
      Effect.gen(function*() {
        const repo = yield* LicenseRepo
        const tenantId = yield* newTenant
        const license = newLicense(tenantId, 2)
        yield* repo.create(license, `hash-${license.id}`, at(1_000))

        const first = yield* repo.activate(license.id, fingerprint(1), "1.0.0", at(2_000))
        assert.strictEqual(first._tag, "Activated")
        const again = yield* repo.activate(license.id, fingerprint(1), "1.1.0", at(3_000))
        assert.strictEqual(again._tag, "Activated")
        if (again._tag === "Activated") {
          assert.strictEqual(again.activation.version, "1.1.0")
          assert.strictEqual(DateTime.toEpochMillis(again.activation.firstSeen), 2_000)
          assert.strictEqual(DateTime.toEpochMillis(again.activation.lastSeen), 3_000)
        }
        assert.strictEqual((yield* repo.activate(license.id, fingerprint(2), "1.0.0", at(3_000)))._tag, "Activated")
        const third = yield* repo.activate(license.id, fingerprint(3), "1.0.0", at(3_000))
        assert.strictEqual(third._tag === "Refused" ? third.refusal.code : "Activated", "TOO_MANY_ACTIVATIONS")
        assert.lengthOf(yield* repo.activations(tenantId, license.id), 2)

        // Freeing a slot lets another install in.
        assert.isTrue(yield* repo.deactivate(license.id, fingerprint(1)))
        assert.isFalse(yield* repo.deactivate(license.id, fingerprint(1)))
        assert.strictEqual((yield* repo.activate(license.id, fingerprint(3), "1.0.0", at(4_000)))._tag, "Activated")

        const unknown = yield* repo.activate(LicenseId.make(randomUUID()), fingerprint(1), "1.0.0", at(4_000))
        assert.strictEqual(unknown._tag === "Refused" ? unknown.refusal.code : "Activated", "NOT_FOUND")
      }))

    it.effect("50 concurrent activations of a license with 5 slots: exactly 5 succeed", () =>
      Effect.gen(function*() {
        const repo = yield* LicenseRepo
        const tenantId = yield* newTenant
        const license = newLicense(tenantId, 5)
        yield* repo.create(license, `hash-${license.id}`, at(1_000))
        const outcomes = yield* Effect.forEach(
          Array.from({ length: 50 }, (_, n) => n),
          (n) => repo.activate(license.id, fingerprint(n), "1.0.0", at(2_000)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(outcomes.filter((outcome) => outcome._tag === "Activated").length, 5)
        assert.isTrue(
          outcomes.every((outcome) => outcome._tag === "Activated" || outcome.refusal.code === "TOO_MANY_ACTIVATIONS")
        )
        assert.lengthOf(yield* repo.activations(tenantId, license.id), 5)
      }))
  })
