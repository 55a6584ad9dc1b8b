import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PlanKey } from "../../core/index.js"
import { rawJson, tenantWithGuild, TestServer } from "./harness.js"

const basic = PlanKey.make("basic")
/** The typed client sends every field (the server defaults what a raw request leaves out). */
const noChange = { guildId: null, planKey: null, features: [], limits: {}, expiresAt: null }

describe("overrides", () => {
  it.effect("the operator grants Premium by hand: paid roles can be enabled until the override is revoked", () =>
    Effect.gen(function*() {
      const { client, guildId, key, operator, operatorKey, tenant } = yield* tenantWithGuild("Acme", basic)
      const enablePaidRoles = rawJson("POST", `/assets/${guildId}/features/paid-roles/enable`, key, {})
      assert.strictEqual((yield* enablePaidRoles).status, 403)

      const [granted, response] = yield* operator.overrides.grant({
        path: { id: tenant.id },
        payload: { ...noChange, planKey: PlanKey.make("premium"), reason: "Trial agreed with support" },
        withResponse: true
      })
      assert.strictEqual(response.status, 201)
      assert.strictEqual(granted.tenantId, tenant.id)
      assert.isNull(granted.guildId)
      assert.deepStrictEqual(yield* operator.overrides.list({ path: { id: tenant.id } }), [granted])

      const enabled = yield* enablePaidRoles
      assert.strictEqual(enabled.status, 200)
      assert.strictEqual(enabled.body.enabled, true)
      const page = yield* client.assets.get({ path: { guildId } })
      assert.strictEqual(page.entitlements.planKey, "premium")
      assert.include(page.entitlements.features, "paid-roles")

      const revoked = yield* operator.overrides.revoke({ path: { id: tenant.id, overrideId: granted.id } })
      assert.strictEqual(revoked.id, granted.id)
      assert.deepStrictEqual(yield* operator.overrides.list({ path: { id: tenant.id } }), [])
      assert.strictEqual((yield* client.assets.get({ path: { guildId } })).entitlements.planKey, "basic")

      const again = yield* rawJson("DELETE", `/tenants/${tenant.id}/overrides/${granted.id}`, operatorKey)
      assert.strictEqual(again.status, 404)
      assert.strictEqual(again.body._tag, "OverrideNotFound")
    }).pipe(Effect.provide(TestServer)))

  it.effect("an unknown plan answers 400; an unknown tenant 404", () =>
    Effect.gen(function*() {
      const { operatorKey, tenant } = yield* tenantWithGuild("Acme", basic)
      const unknownPlan = yield* rawJson("POST", `/tenants/${tenant.id}/overrides`, operatorKey, {
        planKey: "platinum",
        reason: "typo"
      })
      assert.strictEqual(unknownPlan.status, 400)
      assert.strictEqual(unknownPlan.body._tag, "UnknownPlan")

      const unknownTenant = yield* rawJson(
        "POST",
        "/tenants/00000000-0000-4000-8000-000000000000/overrides",
        operatorKey,
        { features: ["analytics"], reason: "nobody" }
      )
      assert.strictEqual(unknownTenant.status, 404)
      assert.strictEqual(unknownTenant.body._tag, "TenantNotFound")
    }).pipe(Effect.provide(TestServer)))

  it.effect("a tenant key gets 403 on every override endpoint, for its own tenant too", () =>
    Effect.gen(function*() {
      const { key, operator, tenant } = yield* tenantWithGuild("Acme", basic)
      const granted = yield* operator.overrides.grant({
        path: { id: tenant.id },
        payload: { ...noChange, features: ["analytics"], reason: "Beta" }
      })
      const base = `/tenants/${tenant.id}/overrides`
      for (
        const [method, path, body] of [
          ["POST", base, { planKey: "enterprise", reason: "Self-service upgrade" }],
          ["GET", base, undefined],
          ["DELETE", `${base}/${granted.id}`, undefined]
        ] as const
      ) {
        const response = yield* rawJson(method, path, key, body)
        assert.strictEqual(response.status, 403, `${method} ${path}`)
        assert.strictEqual(response.body._tag, "OperatorOnly")
      }
      assert.deepStrictEqual(yield* operator.overrides.list({ path: { id: tenant.id } }), [granted])
    }).pipe(Effect.provide(TestServer)))
})
