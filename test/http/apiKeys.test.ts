import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { apiClient, createTenantWithKey, issueOperatorKey, TestServer } from "./harness.js"

const rawDelete = (path: string, key: string) =>
  HttpClient.execute(HttpClientRequest.del(path).pipe(HttpClientRequest.bearerToken(key))).pipe(
    Effect.flatMap((response) => Effect.map(response.text, (text) => ({ status: response.status, text })))
  )

describe("api keys", () => {
  it.effect("issuing answers 201 with the key once; the key works and acts on its tenant", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const { client, tenant } = yield* createTenantWithKey(operatorKey, "Acme")

      const [issued, response] = yield* client.apiKeys.issue({
        path: { id: tenant.id },
        payload: { name: "ci" },
        withResponse: true
      })
      assert.strictEqual(response.status, 201)
      assert.match(issued.key, /^gh_live_[A-Za-z0-9_-]{43}$/)
      assert.isTrue(issued.key.startsWith(issued.prefix))
      assert.strictEqual(issued.tenantId, tenant.id)
      assert.strictEqual(issued.name, "ci")
      assert.notProperty(issued, "secretHash")

      const withNewKey = yield* apiClient(issued.key)
      assert.strictEqual((yield* withNewKey.tenants.get({ path: { id: tenant.id } })).id, tenant.id)

      // Revoking shows the record without the key or its hash.
      const revoked = yield* withNewKey.apiKeys.revoke({ path: { id: issued.id } })
      assert.strictEqual(revoked.id, issued.id)
      assert.isNotNull(revoked.revokedAt)
      assert.notProperty(revoked, "key")
      assert.notProperty(revoked, "secretHash")
    }).pipe(Effect.provide(TestServer)))

  it.effect("a tenant key cannot issue keys for, or revoke keys of, another tenant (404)", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const acme = yield* createTenantWithKey(operatorKey, "Acme")
      const globex = yield* createTenantWithKey(operatorKey, "Globex")

      const issueForeign = yield* acme.client.apiKeys.issue({ path: { id: globex.tenant.id }, payload: { name: "x" } })
        .pipe(Effect.flip)
      assert.strictEqual(issueForeign._tag, "TenantNotFound")

      const foreign = yield* rawDelete(`/api-keys/${globex.keyId}`, acme.key)
      const missing = yield* rawDelete("/api-keys/00000000-0000-4000-8000-000000000000", acme.key)
      assert.strictEqual(foreign.status, 404)
      assert.strictEqual(
        foreign.text.replaceAll(globex.keyId, "<id>"),
        missing.text.replaceAll("00000000-0000-4000-8000-000000000000", "<id>")
      )
      // Globex's key still works.
      assert.strictEqual((yield* globex.client.tenants.get({ path: { id: globex.tenant.id } })).name, "Globex")
    }).pipe(Effect.provide(TestServer)))
})
