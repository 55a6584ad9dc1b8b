import { assert, describe, it } from "@effect/vitest"
import { Effect, Struct } from "effect"
import { PlanKey } from "../../core/index.js"
import { apiClient, createTenantWithKey, guildId, issueOperatorKey, ownerId, raw, TestServer } from "./harness.js"

/** The asset fields of GET /assets/:guildId (which adds features, entitlements and usage). */
const assetOnly = <A extends { features: unknown; entitlements: unknown; usageToday: unknown }>(detail: A) =>
  Struct.omit(detail, "features", "entitlements", "usageToday")

describe("assets", () => {
  it.effect("install -> update -> remove -> reinstall restores the config", () =>
    Effect.gen(function*() {
      const { client, tenant } = yield* createTenantWithKey(yield* issueOperatorKey, "Acme", PlanKey.make("basic"))
      const path = { guildId: guildId(1) }

      const [installed, installResponse] = yield* client.assets.install({
        path,
        payload: { name: "Acme HQ", ownerId, config: { locale: "vi", timezone: "Asia/Ho_Chi_Minh" } },
        withResponse: true
      })
      assert.strictEqual(installResponse.status, 201)
      assert.strictEqual(installed.outcome, "Installed")
      assert.strictEqual(installed.asset.tenantId, tenant.id)
      assert.deepStrictEqual(installed.asset.plan, {
        key: PlanKey.make("basic"),
        name: "Basic",
        features: ["welcome", "xp", "announcements"],
        limits: { maxGuilds: 3, commandsPerMinute: 120, aiTokensPerDay: 10_000, maxPaidRoles: 2 }
      })
      assert.strictEqual(installed.asset.settings.locale, "vi")

      const [updated, updateResponse] = yield* client.assets.install({
        path,
        payload: { name: "Acme Headquarters", ownerId },
        withResponse: true
      })
      assert.strictEqual(updateResponse.status, 200)
      assert.strictEqual(updated.outcome, "Updated")
      assert.strictEqual(updated.asset.name, "Acme Headquarters")
      assert.deepStrictEqual(updated.asset.config, { locale: "vi", timezone: "Asia/Ho_Chi_Minh" })

      const removed = yield* client.assets.remove({ path })
      assert.strictEqual(removed.status, "removed")
      assert.isNotNull(removed.removedAt)

      const restored = yield* client.assets.install({ path, payload: { name: "Acme HQ", ownerId } })
      assert.strictEqual(restored.outcome, "Restored")
      assert.strictEqual(restored.asset.status, "installed")
      assert.deepStrictEqual(restored.asset.config, { locale: "vi", timezone: "Asia/Ho_Chi_Minh" })
      assert.strictEqual(restored.asset.settings.timezone, "Asia/Ho_Chi_Minh")

      const fetched = yield* client.assets.get({ path })
      assert.deepStrictEqual(assetOnly(fetched), restored.asset)
      const listed = yield* client.tenants.listAssets({ path: { id: tenant.id } })
      assert.deepStrictEqual(listed, [restored.asset])
    }).pipe(Effect.provide(TestServer)))

  it.effect("the operator installs for a named tenant, and must name one", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const { client, tenant } = yield* createTenantWithKey(operatorKey, "Acme")
      const operator = yield* apiClient(operatorKey)

      const missingTenant = yield* raw("PUT", `/assets/${guildId(1)}`, operatorKey, { name: "G", ownerId })
      assert.strictEqual(missingTenant.status, 400)
      assert.include(missingTenant.text, "add \\\"tenantId\\\" to the request body")

      const installed = yield* operator.assets.install({
        path: { guildId: guildId(1) },
        payload: { tenantId: tenant.id, name: "G", ownerId }
      })
      assert.strictEqual(installed.asset.tenantId, tenant.id)
      assert.deepStrictEqual(assetOnly(yield* client.assets.get({ path: { guildId: guildId(1) } })), installed.asset)
      const removed = yield* operator.assets.remove({ path: { guildId: guildId(1) } })
      assert.strictEqual(removed.status, "removed")
    }).pipe(Effect.provide(TestServer)))

  it.effect("a tenant key cannot see, remove or install into another tenant's guilds (404 like a nonexistent guild)", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const acme = yield* createTenantWithKey(operatorKey, "Acme")
      const globex = yield* createTenantWithKey(operatorKey, "Globex")
      yield* globex.client.assets.install({ path: { guildId: guildId(7) }, payload: { name: "Globex", ownerId } })

      for (const method of ["GET", "DELETE"] as const) {
        const foreign = yield* raw(method, `/assets/${guildId(7)}`, acme.key)
        const missing = yield* raw(method, `/assets/${guildId(8)}`, acme.key)
        assert.strictEqual(foreign.status, 404)
        assert.deepStrictEqual(
          foreign.text.replaceAll(guildId(7), "<id>"),
          missing.text.replaceAll(guildId(8), "<id>")
        )
      }
      // Globex still has its guild.
      assert.strictEqual((yield* globex.client.assets.get({ path: { guildId: guildId(7) } })).status, "installed")

      const intoGlobex = yield* raw("PUT", `/assets/${guildId(9)}`, acme.key, {
        tenantId: globex.tenant.id,
        name: "Mine now",
        ownerId
      })
      assert.strictEqual(intoGlobex.status, 404)
      assert.include(intoGlobex.text, "TenantNotFound")
    }).pipe(Effect.provide(TestServer)))

  it.effect("installing a guild another tenant has answers 409", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const acme = yield* createTenantWithKey(operatorKey, "Acme")
      const globex = yield* createTenantWithKey(operatorKey, "Globex")
      yield* globex.client.assets.install({ path: { guildId: guildId(7) }, payload: { name: "Globex", ownerId } })

      const response = yield* raw("PUT", `/assets/${guildId(7)}`, acme.key, { name: "Acme", ownerId })
      assert.strictEqual(response.status, 409)
      const body = JSON.parse(response.text)
      assert.strictEqual(body._tag, "GuildOwnedByAnotherTenant")
      assert.include(body.remediation, "Remove the guild from the tenant that has it installed first")
    }).pipe(Effect.provide(TestServer)))

  it.effect("a new install over the plan's guild limit answers 403 with a remediation", () =>
    Effect.gen(function*() {
      const { client, key } = yield* createTenantWithKey(yield* issueOperatorKey, "Acme") // free: 1 guild
      yield* client.assets.install({ path: { guildId: guildId(1) }, payload: { name: "One", ownerId } })

      const response = yield* raw("PUT", `/assets/${guildId(2)}`, key, { name: "Two", ownerId })
      assert.strictEqual(response.status, 403)
      const body = JSON.parse(response.text)
      assert.strictEqual(body._tag, "GuildLimitReached")
      assert.strictEqual(body.message, "The 'free' plan allows 1 installed guild and all are in use")
      assert.strictEqual(body.remediation, "Upgrade to a plan with more guilds, or remove a guild you no longer use")

      // Updating the installed guild does not count against the limit.
      const update = yield* raw("PUT", `/assets/${guildId(1)}`, key, { name: "One again", ownerId })
      assert.strictEqual(update.status, 200)
    }).pipe(Effect.provide(TestServer)))

  it.effect("bad input answers 400 with a message naming the problem", () =>
    Effect.gen(function*() {
      const { key } = yield* createTenantWithKey(yield* issueOperatorKey, "Acme")

      const notASnowflake = yield* raw("PUT", "/assets/12345", key, { name: "G", ownerId })
      assert.strictEqual(notASnowflake.status, 400)
      assert.include(notASnowflake.text, "Expected a Discord id: 17–20 digits as a string, e.g.")
      assert.include(notASnowflake.text, "\"path\":[\"guildId\"]")

      const emptyName = yield* raw("PUT", `/assets/${guildId(1)}`, key, { name: "", ownerId })
      assert.strictEqual(emptyName.status, 400)
      assert.include(emptyName.text, "A guild name must not be empty")

      const badConfig = yield* raw("PUT", `/assets/${guildId(1)}`, key, {
        name: "G",
        ownerId,
        config: { timezone: "Mars/Olympus Mons" }
      })
      assert.strictEqual(badConfig.status, 400)
      assert.include(badConfig.text, "Expected an IANA time zone")
    }).pipe(Effect.provide(TestServer)))
})
