import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { GuildFeatureRepo } from "../../core/index.js"
import { newGuildId } from "../support/fixtures.js"
import { type PolicyPorts, tenantWithGuilds } from "../support/policy.js"
import type { Store } from "../support/stores.js"

export const guildFeatureRepoContract = (store: Store<PolicyPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`GuildFeatureRepo on ${store.name}`, (it) => {
    it.effect("sets a feature's state, replaces it, and lists features by key", () =>
      Effect.gen(function*() {
        const features = yield* GuildFeatureRepo
        const { tenantId, guildIds: [guildId] } = yield* tenantWithGuilds()
        const xp = { featureKey: "xp", enabled: true, config: { rate: 1.5, channels: ["1"] }, configVersion: 2 }
        const welcome = { featureKey: "welcome", enabled: false, config: {}, configVersion: 1 }
        assert.deepStrictEqual(yield* features.set(tenantId, guildId, xp), xp)
        yield* features.set(tenantId, guildId, welcome)
        assert.deepStrictEqual(yield* features.list(tenantId, guildId), [welcome, xp])
        const disabled = { ...xp, enabled: false, config: { rate: 3 }, configVersion: 3 }
        assert.deepStrictEqual(yield* features.set(tenantId, guildId, disabled), disabled)
        assert.deepStrictEqual(yield* features.list(tenantId, guildId), [welcome, disabled])
      }))

    it.effect("a tenant can neither read nor change another tenant's features", () =>
      Effect.gen(function*() {
        const features = yield* GuildFeatureRepo
        const owner = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const [guildId] = owner.guildIds
        const xp = { featureKey: "xp", enabled: true, config: {}, configVersion: 1 }
        yield* features.set(owner.tenantId, guildId, xp)
        assert.deepStrictEqual(yield* features.list(intruder.tenantId, guildId), [])
        const refused = yield* Effect.flip(features.set(intruder.tenantId, guildId, { ...xp, enabled: false }))
        assert.strictEqual(refused._tag, "GuildNotFound")
        assert.strictEqual((yield* Effect.flip(features.set(owner.tenantId, newGuildId(), xp)))._tag, "GuildNotFound")
        assert.deepStrictEqual(yield* features.list(owner.tenantId, guildId), [xp])
      }))
  })
