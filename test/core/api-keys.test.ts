import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { NodeCrypto } from "../../adapters/crypto/index.js"
import { RepositoriesMemory } from "../../adapters/memory/index.js"
import { ApiKeys, PlanCatalog, Tenancy, TenantId } from "../../core/index.js"

const TestLayer = Layer.mergeAll(ApiKeys.layer, Tenancy.layer).pipe(
  Layer.provide(Layer.mergeAll(RepositoriesMemory, NodeCrypto, PlanCatalog.builtin))
)

describe("ApiKeys", () => {
  it.effect("issues gh_live_ keys that authenticate as their owner", () =>
    Effect.gen(function*() {
      const keys = yield* ApiKeys
      const tenant = yield* (yield* Tenancy).createTenant({ name: "Acme" })
      const issued = yield* keys.issue({ _tag: "Tenant", tenantId: tenant.id }, "ci")
      const key = Redacted.value(issued.key)
      expect(key).toMatch(/^gh_live_[A-Za-z0-9_-]{43}$/)
      expect(issued.record.prefix).toBe(key.slice(0, 16))
      expect(issued.record.secretHash).not.toContain(key.slice(8))
      const principal = yield* keys.authenticate(issued.key)
      expect(principal).toMatchObject({ _tag: "TenantKey", tenantId: tenant.id, keyId: issued.record.id })
    }).pipe(Effect.provide(TestLayer)))

  it.effect("refuses a key that differs only after its visible prefix", () =>
    Effect.gen(function*() {
      const keys = yield* ApiKeys
      const issued = yield* keys.issue({ _tag: "Operator" }, "root")
      const key = Redacted.value(issued.key)
      const forged = key.slice(0, -1) + (key.endsWith("A") ? "B" : "A")
      const error = yield* Effect.flip(keys.authenticate(Redacted.make(forged)))
      expect(error._tag).toBe("InvalidApiKey")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("refuses malformed and revoked keys", () =>
    Effect.gen(function*() {
      const keys = yield* ApiKeys
      expect((yield* Effect.flip(keys.authenticate(Redacted.make("not-a-key"))))._tag).toBe("InvalidApiKey")
      const issued = yield* keys.issue({ _tag: "Operator" }, "root")
      const principal = yield* keys.authenticate(issued.key)
      yield* keys.revoke(principal, issued.record.id)
      expect((yield* Effect.flip(keys.authenticate(issued.key)))._tag).toBe("InvalidApiKey")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("a tenant cannot revoke another tenant's key or an operator key", () =>
    Effect.gen(function*() {
      const keys = yield* ApiKeys
      const tenancy = yield* Tenancy
      const a = yield* tenancy.createTenant({ name: "A" })
      const b = yield* tenancy.createTenant({ name: "B" })
      const keyA = yield* keys.issue({ _tag: "Tenant", tenantId: a.id }, "a")
      const keyB = yield* keys.issue({ _tag: "Tenant", tenantId: b.id }, "b")
      const operator = yield* keys.issue({ _tag: "Operator" }, "root")
      const asA = yield* keys.authenticate(keyA.key)
      expect((yield* Effect.flip(keys.revoke(asA, keyB.record.id)))._tag).toBe("ApiKeyNotFound")
      expect((yield* Effect.flip(keys.revoke(asA, operator.record.id)))._tag).toBe("ApiKeyNotFound")
      // Both keys still work.
      yield* keys.authenticate(keyB.key)
      yield* keys.authenticate(operator.key)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("refuses a key for a tenant that does not exist", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        (yield* ApiKeys).issue({ _tag: "Tenant", tenantId: TenantId.make("00000000-0000-4000-8000-000000000000") }, "x")
      )
      expect(error._tag).toBe("TenantNotFound")
    }).pipe(Effect.provide(TestLayer)))
})
