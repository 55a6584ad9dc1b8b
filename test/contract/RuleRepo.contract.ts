import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { RuleRepo } from "../../core/index.js"
import { makeRule, type PolicyPorts, tenantWithGuilds } from "../support/policy.js"
import type { Store } from "../support/stores.js"

const byId = <A extends { readonly id: string }>(rules: ReadonlyArray<A>) =>
  [...rules].sort((a, b) => (a.id < b.id ? -1 : 1))

export const ruleRepoContract = (store: Store<PolicyPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`RuleRepo on ${store.name}`, (it) => {
    it.effect("puts, upserts by id, lists platform scope first, and removes", () =>
      Effect.gen(function*() {
        const rules = yield* RuleRepo
        const { tenantId, guildIds: [guildId] } = yield* tenantWithGuilds()
        const tenantRule = yield* rules.put(makeRule(tenantId, guildId, { target: "command:xp reset" }))
        const platformRule = yield* rules.put(makeRule(tenantId, guildId, { scope: "platform", subject: "user" }))
        assert.deepStrictEqual(yield* rules.list(tenantId, guildId), [platformRule, tenantRule])
        const changed = yield* rules.put(makeRule(tenantId, guildId, { ...tenantRule, effect: "allow" }))
        assert.deepStrictEqual(yield* rules.list(tenantId, guildId), [platformRule, changed])
        assert.deepStrictEqual(yield* rules.remove(tenantId, guildId, tenantRule.id), Option.some(changed))
        assert.deepStrictEqual(yield* rules.remove(tenantId, guildId, tenantRule.id), Option.none())
        assert.deepStrictEqual(yield* rules.list(tenantId, guildId), [platformRule])
      }))

    it.effect("replaceAll replaces one scope's rules and keeps the other scope's", () =>
      Effect.gen(function*() {
        const rules = yield* RuleRepo
        const { tenantId, guildIds: [guildId] } = yield* tenantWithGuilds()
        const platformRule = yield* rules.put(makeRule(tenantId, guildId, { scope: "platform" }))
        yield* rules.put(makeRule(tenantId, guildId))
        const replacement = [makeRule(tenantId, guildId, { target: "feature:xp" }), makeRule(tenantId, guildId)]
        assert.deepStrictEqual(yield* rules.replaceAll(tenantId, guildId, "tenant", replacement), byId(replacement))
        assert.deepStrictEqual(yield* rules.list(tenantId, guildId), [platformRule, ...byId(replacement)])
        assert.deepStrictEqual(yield* rules.replaceAll(tenantId, guildId, "tenant", []), [])
        assert.deepStrictEqual(yield* rules.list(tenantId, guildId), [platformRule])
        const duplicate = makeRule(tenantId, guildId)
        const refused = yield* Effect.flip(rules.replaceAll(tenantId, guildId, "tenant", [duplicate, duplicate]))
        assert.strictEqual(refused._tag, "InvalidInput")
      }))

    it.effect("a tenant can neither read nor change another tenant's rules", () =>
      Effect.gen(function*() {
        const rules = yield* RuleRepo
        const owner = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const [guildId] = owner.guildIds
        const rule = yield* rules.put(makeRule(owner.tenantId, guildId))
        assert.deepStrictEqual(yield* rules.list(intruder.tenantId, guildId), [])
        assert.strictEqual((yield* Effect.flip(rules.put(makeRule(intruder.tenantId, guildId))))._tag, "GuildNotFound")
        assert.strictEqual(
          (yield* Effect.flip(rules.replaceAll(intruder.tenantId, guildId, "tenant", [])))._tag,
          "GuildNotFound"
        )
        assert.deepStrictEqual(yield* rules.remove(intruder.tenantId, guildId, rule.id), Option.none())
        assert.deepStrictEqual(yield* rules.list(owner.tenantId, guildId), [rule])
      }))
  })
