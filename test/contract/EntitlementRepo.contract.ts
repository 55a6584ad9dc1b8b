import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { AddOnKey, EntitlementRepo } from "../../core/index.js"
import { at, newTenantId } from "../support/fixtures.js"
import { makeHeld, makeOverride, type PolicyPorts, tenantWithGuilds } from "../support/policy.js"
import type { Store } from "../support/stores.js"

export const entitlementRepoContract = (store: Store<PolicyPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`EntitlementRepo on ${store.name}`, (it) => {
    it.effect("creates, lists by creation time and removes overrides", () =>
      Effect.gen(function*() {
        const entitlements = yield* EntitlementRepo
        const { tenantId, guildIds: [guildId] } = yield* tenantWithGuilds()
        const later = yield* entitlements.createOverride(
          makeOverride({ tenantId, guildId, createdAt: at(5_000), expiresAt: at(9_000), limits: { maxGuilds: -1 } })
        )
        const earlier = yield* entitlements.createOverride(
          makeOverride({ tenantId, guildId: null, createdAt: at(1_000), features: [], limits: {} })
        )
        assert.deepStrictEqual(yield* entitlements.listOverrides(tenantId), [earlier, later])
        assert.deepStrictEqual(yield* entitlements.removeOverride(tenantId, later.id), Option.some(later))
        assert.deepStrictEqual(yield* entitlements.removeOverride(tenantId, later.id), Option.none())
        assert.deepStrictEqual(yield* entitlements.listOverrides(tenantId), [earlier])
      }))

    it.effect("sets, replaces, lists and removes held add-ons", () =>
      Effect.gen(function*() {
        const entitlements = yield* EntitlementRepo
        const { tenantId } = yield* tenantWithGuilds()
        const extra = yield* entitlements.setHeldAddOn(makeHeld(tenantId, "extra-guilds", 2))
        const ai = yield* entitlements.setHeldAddOn({ ...makeHeld(tenantId, "ai-pack"), expiresAt: at(60_000) })
        assert.deepStrictEqual(yield* entitlements.listHeldAddOns(tenantId), [ai, extra])
        const more = yield* entitlements.setHeldAddOn(makeHeld(tenantId, "extra-guilds", 5))
        assert.deepStrictEqual(yield* entitlements.listHeldAddOns(tenantId), [ai, more])
        assert.deepStrictEqual(yield* entitlements.removeHeldAddOn(tenantId, AddOnKey.make("ai-pack")), Option.some(ai))
        assert.deepStrictEqual(yield* entitlements.removeHeldAddOn(tenantId, AddOnKey.make("ai-pack")), Option.none())
        assert.deepStrictEqual(yield* entitlements.listHeldAddOns(tenantId), [more])
      }))

    it.effect("an unknown tenant is refused; a tenant cannot touch another tenant's entitlements", () =>
      Effect.gen(function*() {
        const entitlements = yield* EntitlementRepo
        const unknown = newTenantId()
        assert.strictEqual(
          (yield* Effect.flip(entitlements.createOverride(makeOverride({ tenantId: unknown, guildId: null }))))._tag,
          "TenantNotFound"
        )
        assert.strictEqual((yield* Effect.flip(entitlements.setHeldAddOn(makeHeld(unknown))))._tag, "TenantNotFound")

        const owner = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const override = yield* entitlements.createOverride(makeOverride({ tenantId: owner.tenantId, guildId: null }))
        const held = yield* entitlements.setHeldAddOn(makeHeld(owner.tenantId))
        const onForeignGuild = makeOverride({ tenantId: intruder.tenantId, guildId: owner.guildIds[0] })
        assert.strictEqual((yield* Effect.flip(entitlements.createOverride(onForeignGuild)))._tag, "GuildNotFound")
        assert.deepStrictEqual(yield* entitlements.listOverrides(intruder.tenantId), [])
        assert.deepStrictEqual(yield* entitlements.listHeldAddOns(intruder.tenantId), [])
        assert.deepStrictEqual(yield* entitlements.removeOverride(intruder.tenantId, override.id), Option.none())
        assert.deepStrictEqual(yield* entitlements.removeHeldAddOn(intruder.tenantId, held.addOnKey), Option.none())
        assert.deepStrictEqual(yield* entitlements.listOverrides(owner.tenantId), [override])
        assert.deepStrictEqual(yield* entitlements.listHeldAddOns(owner.tenantId), [held])
      }))
  })
