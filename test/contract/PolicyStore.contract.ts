import { assert, layer } from "@effect/vitest"
import { DateTime, Effect, Exit, Option } from "effect"
import { randomUUID } from "node:crypto"
import {
  AddOnKey,
  allGuilds,
  EntitlementRepo,
  GuildFeatureRepo,
  GuildRepo,
  KillSwitchRepo,
  PlanKey,
  PolicyStore,
  RuleRepo,
  TenantRepo
} from "../../core/index.js"
import { at, install, newGuildId } from "../support/fixtures.js"
import {
  announcedDuring,
  makeHeld,
  makeOverride,
  makeRule,
  type PolicyPorts,
  tenantWithGuilds,
  valueOf,
  versionOf
} from "../support/policy.js"
import type { Store } from "../support/stores.js"

export const policyStoreContract = (store: Store<PolicyPorts>) =>
  layer(store.layer(), { timeout: 60_000, excludeTestServices: true })(`PolicyStore on ${store.name}`, (it) => {
    it.effect("a guild no tenant has installed loads as None", () =>
      Effect.gen(function*() {
        const policies = yield* PolicyStore
        assert.deepStrictEqual(yield* policies.load(newGuildId()), Option.none())
        const { tenantId, guildIds: [guildId] } = yield* tenantWithGuilds()
        yield* (yield* GuildRepo).remove(tenantId, guildId, at(5))
        assert.deepStrictEqual(yield* policies.load(guildId), Option.none())
      }))

    it.effect("loads everything the guild's snapshot is built from, and nothing of another tenant or guild", () =>
      Effect.gen(function*() {
        const policies = yield* PolicyStore
        const { tenantId, guildIds } = yield* tenantWithGuilds(2)
        const [guildId, sibling] = [guildIds[0], guildIds[1]!]
        const other = yield* tenantWithGuilds()
        const [features, rules, entitlements] = [yield* GuildFeatureRepo, yield* RuleRepo, yield* EntitlementRepo]
        const feature = { featureKey: "xp", enabled: true, config: { rate: 2, roles: ["a"] }, configVersion: 3 }
        yield* features.set(tenantId, guildId, feature)
        yield* features.set(tenantId, sibling, { ...feature, featureKey: "welcome" })
        const tenantRule = yield* rules.put(makeRule(tenantId, guildId, { target: "feature:xp" }))
        const platformRule = yield* rules.put(makeRule(tenantId, guildId, { scope: "platform", effect: "allow" }))
        yield* rules.put(makeRule(tenantId, sibling))
        const tenantWide = yield* entitlements.createOverride(makeOverride({ tenantId, guildId: null }))
        const forGuild = yield* entitlements.createOverride(
          makeOverride({ tenantId, guildId, createdAt: at(2_000), expiresAt: at(9_000_000) })
        )
        yield* entitlements.createOverride(makeOverride({ tenantId, guildId: sibling }))
        const held = yield* entitlements.setHeldAddOn(makeHeld(tenantId))
        yield* features.set(other.tenantId, other.guildIds[0], feature)
        yield* rules.put(makeRule(other.tenantId, other.guildIds[0]))
        yield* entitlements.createOverride(makeOverride({ tenantId: other.tenantId, guildId: null }))
        yield* entitlements.setHeldAddOn(makeHeld(other.tenantId, "other"))

        const source = Option.getOrThrow(yield* policies.load(guildId))
        assert.strictEqual(source.tenant.id, tenantId)
        assert.deepStrictEqual(source.guild, Option.getOrThrow(yield* (yield* GuildRepo).find(tenantId, guildId)))
        assert.deepStrictEqual(source.features, [feature])
        assert.deepStrictEqual(source.rules, [platformRule, tenantRule])
        assert.deepStrictEqual(source.overrides, [tenantWide, forGuild])
        assert.deepStrictEqual(source.held, [held])
        assert.isAbove(source.version, 0)
      }))

    it.effect("every write to a guild's policy bumps its version and announces the guild", () =>
      Effect.gen(function*() {
        const { tenantId, guildIds: [guildId] } = yield* tenantWithGuilds()
        const [features, rules, entitlements] = [yield* GuildFeatureRepo, yield* RuleRepo, yield* EntitlementRepo]
        const rule = makeRule(tenantId, guildId)
        const override = makeOverride({ tenantId, guildId })
        const writes: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown, PolicyPorts>]> = [
          ["guild update", install({ tenantId, guildId, config: { modRoleIds: [] } })],
          [
            "feature set",
            features.set(tenantId, guildId, { featureKey: "xp", enabled: false, config: {}, configVersion: 1 })
          ],
          ["rule put", rules.put(rule)],
          ["rule replaceAll", rules.replaceAll(tenantId, guildId, "tenant", [rule, makeRule(tenantId, guildId)])],
          ["rule remove", rules.remove(tenantId, guildId, rule.id)],
          ["guild override", entitlements.createOverride(override)],
          ["guild override removed", entitlements.removeOverride(tenantId, override.id)],
          ["tenant override", entitlements.createOverride(makeOverride({ tenantId, guildId: null }))],
          ["add-on held", entitlements.setHeldAddOn(makeHeld(tenantId))],
          ["add-on dropped", entitlements.removeHeldAddOn(tenantId, AddOnKey.make("extra-guilds"))]
        ]
        for (const [name, write] of writes) {
          const before = yield* versionOf(guildId)
          const { exit, heard } = yield* announcedDuring(write, [guildId])
          assert.isTrue(Exit.isSuccess(exit), name)
          assert.include(heard, guildId, name)
          assert.isAbove(yield* versionOf(guildId), before, name)
        }
        const { heard } = yield* announcedDuring((yield* GuildRepo).remove(tenantId, guildId, at(1)), [guildId])
        assert.include(heard, guildId, "guild removal")
      }))

    it.effect("a tenant-wide change announces every guild of the tenant and none of another", () =>
      Effect.gen(function*() {
        const { tenantId, guildIds } = yield* tenantWithGuilds(3)
        const other = yield* tenantWithGuilds()
        const entitlements = yield* EntitlementRepo
        const before = yield* Effect.forEach(guildIds, versionOf)
        const { heard } = yield* announcedDuring(entitlements.setHeldAddOn(makeHeld(tenantId)), guildIds)
        assert.includeMembers(heard, guildIds)
        assert.notInclude(heard, other.guildIds[0])
        const after = yield* Effect.forEach(guildIds, versionOf)
        after.forEach((version, i) => assert.isAbove(version, before[i]!))
      }))

    it.effect("a tenant's status or plan change (billing) announces every guild of the tenant", () =>
      Effect.gen(function*() {
        const { tenantId, guildIds } = yield* tenantWithGuilds(2)
        const other = yield* tenantWithGuilds()
        const before = yield* Effect.forEach(guildIds, versionOf)
        const update = (yield* TenantRepo).update(tenantId, { status: "read_only", planKey: PlanKey.make("basic") })
        const { heard } = yield* announcedDuring(update, guildIds)
        assert.includeMembers(heard, guildIds)
        assert.notInclude(heard, other.guildIds[0])
        const after = yield* Effect.forEach(guildIds, versionOf)
        after.forEach((version, i) => assert.isAbove(version, before[i]!))
        const loaded = yield* (yield* PolicyStore).load(guildIds[0])
        assert.strictEqual(Option.getOrThrow(loaded).tenant.status, "read_only")
      }))

    it.effect("a kill switch announces every guild and bumps every guild's version", () =>
      Effect.gen(function*() {
        const killSwitches = yield* KillSwitchRepo
        const { guildIds: [guildId] } = yield* tenantWithGuilds()
        const key = `feature-${randomUUID().slice(0, 8)}`
        const before = yield* versionOf(guildId)
        const { heard } = yield* announcedDuring(killSwitches.set(key, true), [allGuilds])
        assert.include(heard, allGuilds)
        assert.isAbove(yield* versionOf(guildId), before)
        assert.include(Option.getOrThrow(yield* (yield* PolicyStore).load(guildId)).killSwitches, key)
        yield* killSwitches.set(key, false)
        assert.notInclude(Option.getOrThrow(yield* (yield* PolicyStore).load(guildId)).killSwitches, key)
      }))

    it.effect("a refused write changes nothing and announces nothing", () =>
      Effect.gen(function*() {
        const { tenantId, guildIds: [guildId] } = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const [features, rules, entitlements] = [yield* GuildFeatureRepo, yield* RuleRepo, yield* EntitlementRepo]
        const refused: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
          rules.put(makeRule(intruder.tenantId, guildId)),
          rules.replaceAll(intruder.tenantId, guildId, "tenant", []),
          rules.replaceAll(tenantId, guildId, "tenant", [makeRule(tenantId, guildId, { scope: "platform" })]),
          features.set(intruder.tenantId, guildId, { featureKey: "xp", enabled: true, config: {}, configVersion: 1 }),
          entitlements.createOverride(makeOverride({ tenantId: intruder.tenantId, guildId }))
        ]
        const before = yield* versionOf(guildId)
        const { exit, heard } = yield* announcedDuring(Effect.forEach(refused, Effect.flip))
        assert.deepStrictEqual(
          valueOf(exit).map((error) => error._tag),
          ["GuildNotFound", "GuildNotFound", "InvalidInput", "GuildNotFound", "GuildNotFound"]
        )
        assert.notInclude(heard, guildId)
        assert.strictEqual(yield* versionOf(guildId), before)
        const source = Option.getOrThrow(yield* (yield* PolicyStore).load(guildId))
        assert.deepStrictEqual([source.rules, source.features, source.overrides], [[], [], []])
        assert.isAtLeast(DateTime.toEpochMillis(source.guild.installedAt), 0)
      }))
  })
