import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PlanKey } from "../../core/index.js"
import { rawJson, tenantWithGuild, TestServer } from "./harness.js"

const basic = PlanKey.make("basic")

describe("guild features", () => {
  it.effect("GET /features lists the catalog with commands and plan flags", () =>
    Effect.gen(function*() {
      const { client } = yield* tenantWithGuild("Acme", basic)
      const catalog = yield* client.features.catalog()
      assert.deepStrictEqual(
        catalog.map((feature) => feature.key).sort(),
        ["announcements", "billing", "paid-roles", "setup", "welcome", "xp"]
      )
      const xp = catalog.find((feature) => feature.key === "xp")!
      assert.strictEqual(xp.requires, "xp")
      assert.deepStrictEqual(xp.commands.map((command) => command.name), ["rank", "leaderboard", "xp"])
      assert.deepStrictEqual(xp.commands[2]!.subcommands.map((sub) => sub.name), ["reset"])
      assert.strictEqual(xp.commands[2]!.memberPermissions, "32") // ManageGuild as a decimal string
      assert.isNull(xp.retiredAt)
    }).pipe(Effect.provide(TestServer)))

  it.effect("enabling a feature the plan includes: 200, enabled in the guild's features and on its page", () =>
    Effect.gen(function*() {
      const { client, guildId, key } = yield* tenantWithGuild("Acme", basic)
      const path = { guildId }
      const before = (yield* client.assetsFeatures.list({ path })).find((feature) => feature.key === "xp")!
      assert.isFalse(before.enabled)
      assert.isTrue(before.inPlan)

      const [enabled, response] = yield* client.assetsFeatures.enable({
        path: { guildId, key: "xp" },
        payload: { config: { pointsPerMessage: 5 } },
        withResponse: true
      })
      assert.strictEqual(response.status, 200)
      assert.isTrue(enabled.enabled)
      assert.deepStrictEqual(enabled.config, { pointsPerMessage: 5, cooldownSeconds: 60, levelRoles: [] })

      const listed = yield* client.assetsFeatures.list({ path })
      assert.isTrue(listed.find((feature) => feature.key === "xp")!.enabled)
      assert.isFalse(listed.find((feature) => feature.key === "announcements")!.enabled)
      assert.isTrue(listed.find((feature) => feature.key === "setup")!.enabled) // essential: always on

      const page = yield* client.assets.get({ path })
      assert.deepStrictEqual(page.features, listed)
      assert.deepStrictEqual(page.entitlements, {
        planKey: basic,
        features: ["announcements", "welcome", "xp"],
        limits: { maxGuilds: 3, commandsPerMinute: 120, aiTokensPerDay: 10_000, maxPaidRoles: 2 },
        access: "full",
        validUntil: null
      })
      assert.deepStrictEqual(page.usageToday, [])

      // Disabling keeps the config; enabling with no body brings it back.
      const disabled = yield* client.assetsFeatures.disable({ path: { guildId, key: "xp" } })
      assert.isFalse(disabled.enabled)
      const again = yield* rawJson("POST", `/assets/${guildId}/features/xp/enable`, key)
      assert.strictEqual(again.status, 200)
      assert.strictEqual(again.body.enabled, true)
      assert.strictEqual(again.body.config.pointsPerMessage, 5)
    }).pipe(Effect.provide(TestServer)))

  it.effect("a feature the plan lacks answers 403 with the upgrade in the remediation", () =>
    Effect.gen(function*() {
      const { guildId, key } = yield* tenantWithGuild("Acme", basic)
      const response = yield* rawJson("POST", `/assets/${guildId}/features/paid-roles/enable`, key, {})
      assert.strictEqual(response.status, 403)
      assert.strictEqual(response.body._tag, "FeatureNotInPlan")
      assert.strictEqual(response.body.planKey, "basic")
      assert.strictEqual(response.body.message, "Paid roles is not included in the 'basic' plan")
      assert.strictEqual(
        response.body.remediation,
        "Upgrade to the Premium plan (an admin can run /upgrade), then enable it again"
      )
    }).pipe(Effect.provide(TestServer)))

  it.effect("an invalid config answers 400 naming the field, and changes nothing", () =>
    Effect.gen(function*() {
      const { client, guildId, key } = yield* tenantWithGuild("Acme", basic)
      const response = yield* rawJson("POST", `/assets/${guildId}/features/xp/enable`, key, {
        config: { pointsPerMessage: 0 }
      })
      assert.strictEqual(response.status, 400)
      assert.strictEqual(response.body._tag, "InvalidFeatureConfig")
      assert.include(response.body.message, "pointsPerMessage")
      assert.isFalse((yield* client.assetsFeatures.list({ path: { guildId } })).find((f) => f.key === "xp")!.enabled)
    }).pipe(Effect.provide(TestServer)))

  it.effect("disabling an essential feature answers 409; an unknown feature 404", () =>
    Effect.gen(function*() {
      const { guildId, key } = yield* tenantWithGuild("Acme", basic)
      const essential = yield* rawJson("POST", `/assets/${guildId}/features/setup/disable`, key)
      assert.strictEqual(essential.status, 409)
      assert.strictEqual(essential.body._tag, "FeatureAlwaysOn")

      for (const action of ["enable", "disable"]) {
        const unknown = yield* rawJson("POST", `/assets/${guildId}/features/karaoke/${action}`, key, {})
        assert.strictEqual(unknown.status, 404)
        assert.strictEqual(unknown.body._tag, "FeatureNotFound")
        assert.include(unknown.body.message, "No feature 'karaoke'")
      }
    }).pipe(Effect.provide(TestServer)))
})
