import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PlanKey } from "../../core/index.js"
import { createTenantWithKey, rawJson, runJobs, tenantWithGuild, TestServer } from "./harness.js"

/**
 * The hosting endpoints' routing, guards and errors over the memory store
 * (the SQL paths are tested in test/hosting on PGlite and the server): the
 * memory store cannot dump tables, and says so rather than pretending.
 */
const postArchive = (key: string, bytes: Uint8Array) =>
  HttpClient.execute(
    HttpClientRequest.post("/imports").pipe(
      HttpClientRequest.bearerToken(key),
      HttpClientRequest.bodyUint8Array(bytes, "application/gzip")
    )
  ).pipe(Effect.flatMap((response) =>
    Effect.map(response.json, (body) => ({ status: response.status, body: body as { reason?: string } }))
  ))

describe("hosting over HTTP", () => {
  it.effect("exports are the tenant's own; a failed build says why; junk imports are refused with a reason", () =>
    Effect.gen(function*() {
      const { key, operatorKey, tenant } = yield* tenantWithGuild("Exporter", PlanKey.make("premium"))
      const other = yield* createTenantWithKey(operatorKey, "Other")

      const requested = yield* rawJson("POST", "/exports", key, {})
      assert.strictEqual(requested.status, 202)
      assert.strictEqual(requested.body.export.status, "pending")
      assert.strictEqual(requested.body.download, null)
      const id = requested.body.export.id

      // The operator names the tenant; another tenant cannot see the export.
      const unnamed = yield* rawJson("POST", "/exports", operatorKey, {})
      assert.strictEqual(unnamed.status, 400)
      assert.strictEqual((yield* rawJson("GET", `/exports/${id}`, other.key)).status, 404)

      yield* runJobs
      const failed = yield* rawJson("GET", `/exports/${id}`, key)
      assert.strictEqual(failed.status, 200)
      assert.strictEqual(failed.body.export.status, "failed")
      assert.match(failed.body.export.error, /SQL database/)

      const junk = yield* postArchive(key, new TextEncoder().encode("not an archive"))
      assert.strictEqual(junk.status, 422)
      assert.strictEqual(junk.body.reason, "malformed")

      const badLink = yield* rawJson("GET", `/exports/${id}/archive?expires=9999999999&signature=forged`, key)
      assert.strictEqual(badLink.status, 403)

      const audit = yield* rawJson("GET", `/tenants/${tenant.id}/audit`, key)
      assert.strictEqual(audit.status, 200)
      assert.includeMembers(audit.body.map((event: { action: string }) => event.action), [
        "export.requested",
        "export.failed"
      ])
      assert.strictEqual((yield* rawJson("GET", `/tenants/${tenant.id}/audit`, other.key)).status, 404)
    }).pipe(Effect.provide(TestServer)))

  it.effect("offboarding is the operator's: started, listed, cancelled; a tenant key is refused", () =>
    Effect.gen(function*() {
      const { key, operatorKey, tenant } = yield* tenantWithGuild("Leaver", PlanKey.make("premium"))
      const byTenant = yield* rawJson("POST", `/tenants/${tenant.id}/offboarding`, key, { kind: "remove_bot" })
      assert.strictEqual(byTenant.status, 403)

      const started = yield* rawJson("POST", `/tenants/${tenant.id}/offboarding`, operatorKey, {
        kind: "move_to_self_host",
        retireAt: "2099-01-01T00:00:00Z"
      })
      assert.strictEqual(started.status, 201)
      assert.match(started.body.licenseKey, /^GH1\./)
      assert.deepStrictEqual(started.body.flow.steps.map((s: { name: string }) => s.name), [
        "export",
        "issue_license",
        "retire"
      ])
      const again = yield* rawJson("POST", `/tenants/${tenant.id}/offboarding`, operatorKey, { kind: "remove_bot" })
      assert.strictEqual(again.status, 409)

      const flowId = started.body.flow.id
      const cancelled = yield* rawJson("POST", `/tenants/${tenant.id}/offboarding/${flowId}/cancel`, operatorKey)
      assert.strictEqual(cancelled.status, 200)
      assert.strictEqual(cancelled.body.status, "cancelled")
      const twice = yield* rawJson("POST", `/tenants/${tenant.id}/offboarding/${flowId}/cancel`, operatorKey)
      assert.strictEqual(twice.status, 409)
      const listed = yield* rawJson("GET", `/tenants/${tenant.id}/offboarding`, operatorKey)
      assert.deepStrictEqual(listed.body.map((f: { status: string }) => f.status), ["cancelled"])

      const anonymize = yield* rawJson("POST", `/tenants/${tenant.id}/anonymize`, operatorKey)
      assert.strictEqual(anonymize.status, 501)
    }).pipe(Effect.provide(TestServer)))
})
