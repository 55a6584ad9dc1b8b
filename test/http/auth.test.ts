import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { apiClient, createTenantWithKey, issueOperatorKey, TestServer } from "./harness.js"

const getTenant = (id: string, authorization?: string) =>
  Effect.flatMap(
    HttpClient.execute(
      authorization === undefined
        ? HttpClientRequest.get(`/tenants/${id}`)
        : HttpClientRequest.get(`/tenants/${id}`).pipe(HttpClientRequest.setHeader("authorization", authorization))
    ),
    (response) => Effect.map(response.json, (body) => ({ status: response.status, body }))
  )

const unauthorized = {
  _tag: "InvalidApiKey",
  message: "Missing, malformed, unknown or revoked API key; send 'Authorization: Bearer gh_live_...'"
}

describe("authentication", () => {
  it.effect("a missing, malformed or unknown key answers 401 saying how to authenticate", () =>
    Effect.gen(function*() {
      const { tenant } = yield* createTenantWithKey(yield* issueOperatorKey, "Acme")
      const unknownKey = `gh_live_${"A".repeat(43)}`
      for (const authorization of [undefined, "Bearer", "Bearer nope", "Basic dXNlcjpwYXNz", `Bearer ${unknownKey}`]) {
        assert.deepStrictEqual(yield* getTenant(tenant.id, authorization), { status: 401, body: unauthorized })
      }
    }).pipe(Effect.provide(TestServer)))

  it.effect("a valid key gets through", () =>
    Effect.gen(function*() {
      const { key, tenant } = yield* createTenantWithKey(yield* issueOperatorKey, "Acme")
      const response = yield* getTenant(tenant.id, `Bearer ${key}`)
      assert.strictEqual(response.status, 200)
    }).pipe(Effect.provide(TestServer)))

  it.effect("a revoked key answers 401", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const { key, keyId, tenant } = yield* createTenantWithKey(operatorKey, "Acme")
      const operator = yield* apiClient(operatorKey)
      const revoked = yield* operator.apiKeys.revoke({ path: { id: keyId } })
      assert.isNotNull(revoked.revokedAt)
      assert.notProperty(revoked, "secretHash")
      assert.deepStrictEqual(yield* getTenant(tenant.id, `Bearer ${key}`), { status: 401, body: unauthorized })
    }).pipe(Effect.provide(TestServer)))
})
