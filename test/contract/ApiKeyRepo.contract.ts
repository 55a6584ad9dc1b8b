import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { ApiKeyRecord, ApiKeyRepo, type TenantId, TenantRepo } from "../../core/index.js"
import { at, makeKey, makeTenant, newKeyId } from "../support/fixtures.js"
import type { Store } from "../support/stores.js"

const newTenant = Effect.flatMap(TenantRepo, (tenants) => {
  const tenant = makeTenant()
  return Effect.as(tenants.insert(tenant), tenant.id)
})

const inserted = (tenantId: TenantId | null, options: { readonly createdAt?: number } = {}) =>
  Effect.flatMap(ApiKeyRepo, (keys) => {
    const record = makeKey({ tenantId, createdAt: at(options.createdAt ?? 0) })
    return Effect.as(keys.insert(record), record)
  })

const activeWithPrefix = (prefix: string) => Effect.flatMap(ApiKeyRepo, (keys) => keys.findActiveByPrefix(prefix))

export const apiKeyRepoContract = (store: Store<ApiKeyRepo | TenantRepo>) =>
  layer(store.layer(), { timeout: 60_000 })(`ApiKeyRepo on ${store.name}`, (it) => {
    it.effect("tenant and operator keys read back by prefix exactly as inserted", () =>
      Effect.gen(function*() {
        const tenantKey = yield* inserted(yield* newTenant, { createdAt: 1_700_000_000_123 })
        const operatorKey = yield* inserted(null)
        assert.deepStrictEqual(yield* activeWithPrefix(tenantKey.prefix), [tenantKey])
        assert.deepStrictEqual(yield* activeWithPrefix(operatorKey.prefix), [operatorKey])
        assert.deepStrictEqual(yield* activeWithPrefix("gh_live_nothing"), [])
      }))

    it.effect("a tenant revokes its own key; revoking again keeps the first time", () =>
      Effect.gen(function*() {
        const keys = yield* ApiKeyRepo
        const tenantId = yield* newTenant
        const key = yield* inserted(tenantId)
        const revoked = yield* keys.revoke(key.id, at(5_000), Option.some(tenantId))
        assert.deepStrictEqual(revoked, Option.some(ApiKeyRecord.make({ ...key, revokedAt: at(5_000) })))
        assert.deepStrictEqual(yield* keys.revoke(key.id, at(6_000), Option.some(tenantId)), revoked)
      }))

    it.effect("the prefix lookup ignores revoked keys", () =>
      Effect.gen(function*() {
        const keys = yield* ApiKeyRepo
        const tenantId = yield* newTenant
        const key = yield* inserted(tenantId)
        const operatorKey = yield* inserted(null)
        yield* keys.revoke(key.id, at(1), Option.some(tenantId))
        yield* keys.revoke(operatorKey.id, at(1), Option.none())
        assert.deepStrictEqual(yield* activeWithPrefix(key.prefix), [])
        assert.deepStrictEqual(yield* activeWithPrefix(operatorKey.prefix), [])
      }))

    it.effect("a tenant cannot revoke another tenant's key or an operator key", () =>
      Effect.gen(function*() {
        const keys = yield* ApiKeyRepo
        const [a, b] = [yield* newTenant, yield* newTenant]
        const keyOfB = yield* inserted(b)
        const operatorKey = yield* inserted(null)
        assert.deepStrictEqual(yield* keys.revoke(keyOfB.id, at(1), Option.some(a)), Option.none())
        assert.deepStrictEqual(yield* keys.revoke(operatorKey.id, at(1), Option.some(a)), Option.none())
        assert.deepStrictEqual(yield* activeWithPrefix(keyOfB.prefix), [keyOfB])
        assert.deepStrictEqual(yield* activeWithPrefix(operatorKey.prefix), [operatorKey])
      }))

    it.effect("the operator revokes any key; an unknown key is None", () =>
      Effect.gen(function*() {
        const keys = yield* ApiKeyRepo
        const tenantKey = yield* inserted(yield* newTenant)
        const operatorKey = yield* inserted(null)
        for (const key of [tenantKey, operatorKey]) {
          assert.deepStrictEqual(
            yield* keys.revoke(key.id, at(2_000), Option.none()),
            Option.some(ApiKeyRecord.make({ ...key, revokedAt: at(2_000) }))
          )
        }
        assert.deepStrictEqual(yield* keys.revoke(newKeyId(), at(1), Option.none()), Option.none())
      }))

    it.effect("whether an active operator key exists", () =>
      Effect.gen(function*() {
        const keys = yield* ApiKeyRepo
        assert.isFalse(yield* keys.hasActiveOperatorKey)
        yield* inserted(yield* newTenant)
        assert.isFalse(yield* keys.hasActiveOperatorKey, "a tenant key is not an operator key")
        const operatorKey = yield* inserted(null)
        assert.isTrue(yield* keys.hasActiveOperatorKey)
        yield* keys.revoke(operatorKey.id, at(1), Option.none())
        assert.isFalse(yield* keys.hasActiveOperatorKey)
      }).pipe(Effect.provide(store.layer()))) // a store of its own: other tests add operator keys
  })
