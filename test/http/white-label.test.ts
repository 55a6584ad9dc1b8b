import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { ApplicationId, PlanKey, TenantBotRepo, WhiteLabel } from "../../core/index.js"
import { createTenantWithKey, issueOperatorKey, raw, rawJson, TestServer } from "./harness.js"

const enterprise = PlanKey.make("enterprise")
const applicationId = "800000000000000001"
const secret = "ODAwMDAwMDAwMDAwMDAwMDAx.GqWeRt.http-secret-signature-part_xY7k"
const body = { applicationId, token: secret }

describe("white-label bots over HTTP", () => {
  it.effect("a tenant sets, reads and removes its bot; the token is never sent back", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const acme = yield* createTenantWithKey(operatorKey, "Acme", enterprise)
      const path = `/tenants/${acme.tenant.id}/bot`

      assert.strictEqual((yield* raw("GET", path, acme.key)).status, 404)
      const set = yield* raw("PUT", path, acme.key, body)
      assert.strictEqual(set.status, 200)
      assert.notInclude(set.text, "http-secret")
      assert.deepInclude(JSON.parse(set.text), { applicationId, tokenHint: "…xY7k" })

      const read = yield* raw("GET", path, acme.key)
      assert.strictEqual(read.status, 200)
      assert.notInclude(read.text, "http-secret")
      const view = yield* acme.client.whiteLabel.getBot({ path: { id: acme.tenant.id } })
      assert.strictEqual(view.tokenHint, "…xY7k")

      // What the runner will log in with.
      const [bot] = (yield* (yield* WhiteLabel).listBots).filter((found) => found.tenantId === acme.tenant.id)
      assert.strictEqual(Redacted.value(bot!.token), secret)

      assert.strictEqual((yield* raw("DELETE", path, acme.key)).status, 204)
      assert.strictEqual((yield* raw("GET", path, acme.key)).status, 404)
      assert.strictEqual((yield* raw("DELETE", path, acme.key)).status, 404)
    }).pipe(Effect.provide(TestServer)))

  it.effect("another tenant's bot answers like a nonexistent tenant, on every method", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const acme = yield* createTenantWithKey(operatorKey, "Acme", enterprise)
      const globex = yield* createTenantWithKey(operatorKey, "Globex", enterprise)
      yield* acme.client.whiteLabel.setBot({
        path: { id: acme.tenant.id },
        payload: { applicationId: ApplicationId.make(applicationId), token: Redacted.make(secret) }
      })
      const nobody = "00000000-0000-4000-8000-00000000beef"
      for (const method of ["GET", "PUT", "DELETE"] as const) {
        const theirs = yield* raw(
          method,
          `/tenants/${acme.tenant.id}/bot`,
          globex.key,
          method === "PUT" ? body : undefined
        )
        const missing = yield* raw(method, `/tenants/${nobody}/bot`, globex.key, method === "PUT" ? body : undefined)
        assert.strictEqual(theirs.status, 404, method)
        assert.strictEqual(JSON.parse(theirs.text)._tag, "TenantNotFound", method)
        assert.strictEqual(theirs.text.replaceAll(acme.tenant.id, "<id>"), missing.text.replaceAll(nobody, "<id>"))
      }
      // Acme's bot is untouched; the operator sees it, and a tenant that does not exist is 404 for it too.
      const stored = Option.getOrThrow(yield* (yield* TenantBotRepo).get(acme.tenant.id))
      assert.strictEqual(Redacted.value(stored.token), secret)
      const seen = yield* rawJson("GET", `/tenants/${acme.tenant.id}/bot`, operatorKey)
      assert.strictEqual(seen.status, 200)
      assert.strictEqual(seen.body.tokenHint, "…xY7k")
      assert.strictEqual((yield* raw("GET", `/tenants/${nobody}/bot`, operatorKey)).status, 404)
    }).pipe(Effect.provide(TestServer)))

  it.effect("a plan without white-label gets 403 with the plan to upgrade to", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const shop = yield* createTenantWithKey(operatorKey, "Shop", PlanKey.make("premium"))
      const refused = yield* rawJson("PUT", `/tenants/${shop.tenant.id}/bot`, shop.key, body)
      assert.strictEqual(refused.status, 403)
      assert.strictEqual(refused.body._tag, "WhiteLabelNotInPlan")
      assert.strictEqual(refused.body.remediation, "Upgrade to the Enterprise plan")
      assert.notInclude(JSON.stringify(refused.body), "http-secret")
      assert.strictEqual((yield* raw("GET", `/tenants/${shop.tenant.id}/bot`, shop.key)).status, 404)
    }).pipe(Effect.provide(TestServer)))

  it.effect("a malformed token or application id is a 400 that does not echo the token", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const acme = yield* createTenantWithKey(operatorKey, "Acme", enterprise)
      const path = `/tenants/${acme.tenant.id}/bot`
      const badToken = yield* rawJson("PUT", path, acme.key, { applicationId, token: "http-secret-but-no-dots" })
      assert.strictEqual(badToken.status, 400)
      assert.strictEqual(badToken.body._tag, "InvalidInput")
      assert.include(badToken.body.message, "token")
      assert.notInclude(JSON.stringify(badToken.body), "http-secret")

      const badId = yield* raw("PUT", path, acme.key, { applicationId: "my-bot", token: secret })
      assert.strictEqual(badId.status, 400)
      assert.include(badId.text, "applicationId")
      assert.notInclude(badId.text, "http-secret")
      assert.strictEqual((yield* raw("GET", path, acme.key)).status, 404)
    }).pipe(Effect.provide(TestServer)))
})
