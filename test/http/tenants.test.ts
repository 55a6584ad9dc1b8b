import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PlanKey } from "../../core/index.js"
import { apiClient, createTenantWithKey, issueOperatorKey, TestServer } from "./harness.js"

const nonexistentTenantId = "00000000-0000-4000-8000-000000000000"

const rawGet = (path: string, key: string) =>
  HttpClient.execute(HttpClientRequest.get(path).pipe(HttpClientRequest.bearerToken(key))).pipe(
    Effect.flatMap((response) => Effect.map(response.text, (text) => ({ status: response.status, text })))
  )

const rawPost = (path: string, key: string, body: unknown) =>
  HttpClient.execute(
    HttpClientRequest.post(path).pipe(HttpClientRequest.bearerToken(key), HttpClientRequest.bodyUnsafeJson(body))
  ).pipe(Effect.flatMap((response) => Effect.map(response.json, (json) => ({ status: response.status, json }))))

describe("tenants", () => {
  it.effect("the operator creates a tenant (201) and reads it back", () =>
    Effect.gen(function*() {
      const operator = yield* apiClient(yield* issueOperatorKey)
      const [tenant, response] = yield* operator.tenants.create({
        payload: { name: "Acme", planKey: PlanKey.make("basic"), guildDefaults: { locale: "vi" } },
        withResponse: true
      })
      assert.strictEqual(response.status, 201)
      assert.strictEqual(tenant.name, "Acme")
      assert.strictEqual(tenant.planKey, "basic")
      assert.strictEqual(tenant.mode, "hosted")
      assert.deepStrictEqual(yield* operator.tenants.get({ path: { id: tenant.id } }), tenant)
    }).pipe(Effect.provide(TestServer)))

  it.effect("a self-host tenant can be asked for as self_host or self-host; it is answered as self_host", () =>
    Effect.gen(function*() {
      const key = yield* issueOperatorKey
      for (const mode of ["self_host", "self-host"]) {
        const created = yield* rawPost("/tenants", key, { name: `Acme ${mode}`, mode })
        assert.strictEqual(created.status, 201, mode)
        assert.strictEqual((created.json as { mode: string }).mode, "self_host")
      }
      const misspelled = yield* rawPost("/tenants", key, { name: "Acme", mode: "selfhost" })
      assert.strictEqual(misspelled.status, 400)
    }).pipe(Effect.provide(TestServer)))

  it.effect("a tenant key cannot create tenants (403 with a clear message)", () =>
    Effect.gen(function*() {
      const { key } = yield* createTenantWithKey(yield* issueOperatorKey, "Acme")
      assert.deepStrictEqual(yield* rawPost("/tenants", key, { name: "Sneaky" }), {
        status: 403,
        json: { _tag: "OperatorOnly", message: "Only an operator key can create tenants; this is a tenant key" }
      })
    }).pipe(Effect.provide(TestServer)))

  it.effect("a tenant key reads its own tenant; another tenant answers exactly like a nonexistent one", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const acme = yield* createTenantWithKey(operatorKey, "Acme")
      const globex = yield* createTenantWithKey(operatorKey, "Globex")
      assert.strictEqual((yield* acme.client.tenants.get({ path: { id: acme.tenant.id } })).name, "Acme")

      for (const path of ["", "/assets"]) {
        const foreign = yield* rawGet(`/tenants/${globex.tenant.id}${path}`, acme.key)
        const missing = yield* rawGet(`/tenants/${nonexistentTenantId}${path}`, acme.key)
        assert.strictEqual(foreign.status, 404)
        assert.strictEqual(missing.status, 404)
        assert.strictEqual(
          foreign.text.replaceAll(globex.tenant.id, "<id>"),
          missing.text.replaceAll(nonexistentTenantId, "<id>")
        )
      }
    }).pipe(Effect.provide(TestServer)))

  it.effect("bad input answers 400 with a message naming the problem", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const emptyName = yield* rawPost("/tenants", operatorKey, { name: "   " })
      assert.strictEqual(emptyName.status, 400)
      assert.include(JSON.stringify(emptyName.json), "A tenant name must not be empty")

      const unknownPlan = yield* rawPost("/tenants", operatorKey, { name: "Acme", planKey: "platinum" })
      assert.strictEqual(unknownPlan.status, 400)
      assert.deepInclude(unknownPlan.json, {
        _tag: "UnknownPlan",
        message: "Unknown plan 'platinum'. Known plans: free, basic, premium, enterprise"
      })

      const notAnId = yield* rawGet("/tenants/acme", operatorKey)
      assert.strictEqual(notAnId.status, 400)
      assert.include(notAnId.text, "Expected a UUID")
    }).pipe(Effect.provide(TestServer)))
})
