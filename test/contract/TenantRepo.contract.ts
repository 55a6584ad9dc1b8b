import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { PlanKey, Tenant, type TenantId, TenantRepo } from "../../core/index.js"
import { at, makeTenant } from "../support/fixtures.js"
import type { Store } from "../support/stores.js"

/** Of the listed tenants, those among `ids`, in listed order. */
const listedAmong = (ids: ReadonlyArray<TenantId>, limit = 10_000) =>
  Effect.map(TenantRepo, (tenants) => tenants.list({ limit })).pipe(
    Effect.flatten,
    Effect.map((listed) => listed.map((tenant) => tenant.id).filter((id) => ids.includes(id)))
  )

export const tenantRepoContract = (store: Store<TenantRepo>) =>
  layer(store.layer(), { timeout: 60_000 })(`TenantRepo on ${store.name}`, (it) => {
    it.effect("a tenant reads back exactly as inserted", () =>
      Effect.gen(function*() {
        const tenants = yield* TenantRepo
        const tenant = makeTenant({
          name: "Ünïcode & Co",
          planKey: "premium",
          status: "read_only",
          createdAt: at(1_700_000_000_123),
          guildDefaults: {
            locale: "vi",
            modRoleIds: [],
            features: { welcome: { channel: "general", nested: { on: true } } }
          }
        })
        yield* tenants.insert(tenant)
        assert.deepStrictEqual(yield* tenants.findById(tenant.id), Option.some(tenant))
      }))

    it.effect("update changes only the given fields and answers the updated tenant", () =>
      Effect.gen(function*() {
        const tenants = yield* TenantRepo
        const tenant = makeTenant({ planKey: "premium", status: "active" })
        yield* tenants.insert(tenant)
        const readOnly = yield* tenants.update(tenant.id, { status: "read_only" })
        assert.deepStrictEqual(readOnly, Option.some(Tenant.make({ ...tenant, status: "read_only" })))
        const downgraded = yield* tenants.update(tenant.id, { planKey: PlanKey.make("free") })
        assert.deepStrictEqual(
          downgraded,
          Option.some(Tenant.make({ ...tenant, status: "read_only", planKey: PlanKey.make("free") }))
        )
        assert.deepStrictEqual(yield* tenants.findById(tenant.id), downgraded)
        assert.deepStrictEqual(yield* tenants.update(makeTenant().id, { status: "active" }), Option.none())
      }))

    it.effect("an unknown tenant is None", () =>
      Effect.gen(function*() {
        const tenants = yield* TenantRepo
        assert.deepStrictEqual(yield* tenants.findById(makeTenant().id), Option.none())
      }))

    it.effect("lists in creation order, oldest first, insertion order within one instant", () =>
      Effect.gen(function*() {
        const tenants = yield* TenantRepo
        const newest = makeTenant({ createdAt: at(3_000) })
        const oldest = makeTenant({ createdAt: at(1_000) })
        const sameInstant = [makeTenant({ createdAt: at(2_000) }), makeTenant({ createdAt: at(2_000) })]
        for (const tenant of [newest, oldest, ...sameInstant]) yield* tenants.insert(tenant)
        const ids = [newest, oldest, ...sameInstant].map((tenant) => tenant.id)
        assert.deepStrictEqual(yield* listedAmong(ids), [oldest.id, sameInstant[0]!.id, sameInstant[1]!.id, newest.id])
      }))

    it.effect("the limit keeps the oldest", () =>
      Effect.gen(function*() {
        const tenants = yield* TenantRepo
        // Older than any other test's tenants, so they come first in the shared store.
        const ancient = [at(-3_000), at(-1_000), at(-2_000)].map((createdAt) => makeTenant({ createdAt }))
        for (const tenant of ancient) yield* tenants.insert(tenant)
        const listed = yield* tenants.list({ limit: 2 })
        assert.deepStrictEqual(listed.map((tenant) => tenant.id), [ancient[0]!.id, ancient[2]!.id])
      }))
  })
