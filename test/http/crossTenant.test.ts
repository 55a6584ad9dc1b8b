import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PlanKey } from "../../core/index.js"
import { createTenantWithKey, guildId, raw, tenantWithGuild, TestServer } from "./harness.js"

const basic = PlanKey.make("basic")
const someRuleId = "00000000-0000-4000-8000-000000000001"

/** Every guild-scoped route, for one guild id. */
const routes = (guild: string) =>
  [
    ["GET", `/assets/${guild}`, undefined],
    ["GET", `/assets/${guild}/features`, undefined],
    ["POST", `/assets/${guild}/features/xp/enable`, { config: { pointsPerMessage: 1 } }],
    ["POST", `/assets/${guild}/features/xp/disable`, undefined],
    ["GET", `/assets/${guild}/rules`, undefined],
    ["PUT", `/assets/${guild}/rules`, { rules: [] }],
    ["DELETE", `/assets/${guild}/rules`, undefined],
    ["DELETE", `/assets/${guild}/rules/${someRuleId}`, undefined],
    ["POST", `/assets/${guild}/guardrail/explain`, {
      userId: "400000000000000001",
      memberRoles: [],
      memberPermissions: "8",
      channelId: "500000000000000001",
      appPermissions: "8",
      commandPath: ["rank"]
    }],
    ["GET", `/usage/${guild}/daily`, undefined],
    ["DELETE", `/assets/${guild}`, undefined]
  ] as const

describe("cross-tenant isolation", () => {
  it.effect("tenant B's key gets the nonexistent guild's 404 on every route for tenant A's guild", () =>
    Effect.gen(function*() {
      const acme = yield* tenantWithGuild("Acme", basic, guildId(7))
      yield* acme.client.assetsFeatures.enable({ path: { guildId: guildId(7), key: "xp" }, payload: {} })
      const [rule] = yield* acme.client.assetsRules.replace({
        path: { guildId: guildId(7) },
        payload: { rules: [{ target: "*", subject: "guild", subjectId: guildId(7), effect: "allow" }] }
      })
      const globex = yield* createTenantWithKey(acme.operatorKey, "Globex", basic)

      const foreign = routes(guildId(7))
      const missing = routes(guildId(8))
      for (let i = 0; i < foreign.length; i++) {
        const [method, path, body] = foreign[i]!
        const theirs = yield* raw(method, path, globex.key, body)
        const nobody = yield* raw(missing[i]![0], missing[i]![1], globex.key, missing[i]![2])
        assert.strictEqual(theirs.status, 404, `${method} ${path}`)
        assert.strictEqual(JSON.parse(theirs.text)._tag, "GuildNotFound", `${method} ${path}`)
        assert.strictEqual(theirs.text.replaceAll(guildId(7), "<id>"), nobody.text.replaceAll(guildId(8), "<id>"))
      }
      // The same removal by rule id, with A's real rule id.
      const ruleRemoval = yield* raw("DELETE", `/assets/${guildId(7)}/rules/${rule!.id}`, globex.key)
      assert.strictEqual(ruleRemoval.status, 404)

      // Nothing of Acme's changed.
      const page = yield* acme.client.assets.get({ path: { guildId: guildId(7) } })
      assert.strictEqual(page.status, "installed")
      const xp = page.features.find((feature) => feature.key === "xp")!
      assert.isTrue(xp.enabled)
      assert.deepStrictEqual(xp.config, { pointsPerMessage: 10, cooldownSeconds: 60, levelRoles: [] })
      assert.deepStrictEqual(yield* acme.client.assetsRules.list({ path: { guildId: guildId(7) } }), [rule!])
    }).pipe(Effect.provide(TestServer)))

  it.effect("the operator acts on whichever tenant holds the guild", () =>
    Effect.gen(function*() {
      const acme = yield* tenantWithGuild("Acme", basic, guildId(7))
      const enabled = yield* acme.operator.assetsFeatures.enable({
        path: { guildId: guildId(7), key: "xp" },
        payload: {}
      })
      assert.isTrue(enabled.enabled)
      assert.isTrue(
        (yield* acme.client.assetsFeatures.list({ path: { guildId: guildId(7) } })).find((f) => f.key === "xp")!.enabled
      )
      const page = yield* acme.operator.assets.get({ path: { guildId: guildId(7) } })
      assert.strictEqual(page.tenantId, acme.tenant.id)
    }).pipe(Effect.provide(TestServer)))
})
