import { HttpApi } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, SchemaAST } from "effect"
import { Api } from "../../adapters/http/index.js"
import { PlanKey } from "../../core/index.js"
import { guildId, issueOperatorKey, ownerId, rawJson, tenantWithGuild, TestServer } from "./harness.js"

interface JsonBodyEndpoint {
  readonly method: "POST" | "PUT"
  readonly path: string
  /** The body is taken as any JSON (a webhook's raw body, checked against its signature): no fields to refuse. */
  readonly acceptsAnyJson: boolean
}

/** Every endpoint of the Api that reads a JSON body, from the Api itself: a new endpoint is covered by being added. */
const jsonBodyEndpoints: ReadonlyArray<JsonBodyEndpoint> = (() => {
  const found: Array<JsonBodyEndpoint> = []
  HttpApi.reflect(Api, {
    onGroup: () => {},
    onEndpoint: ({ endpoint, payloads }) => {
      const json = payloads.get("application/json")
      if (json === undefined) return
      const encoded = SchemaAST.encodedAST(json.ast)
      found.push({
        method: endpoint.method as JsonBodyEndpoint["method"],
        path: endpoint.path,
        acceptsAnyJson: encoded._tag === "UnknownKeyword" || encoded._tag === "AnyKeyword"
      })
    }
  })
  return found
})()

/** A well-formed value for each path parameter, so the request gets as far as reading its body. */
const samplePath = (path: string) =>
  path.replace(/:(\w+)/g, (_, name: string) =>
    name === "key"
      ? "xp"
      : /(guild|role|user|channel)Id$/.test(name)
      ? "123456789012345678"
      : "0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b")

describe("every JSON body is read strictly", () => {
  it("the Api has JSON bodies with fields to check (the list below is not empty by accident)", () => {
    assert.isAbove(jsonBodyEndpoints.filter((endpoint) => !endpoint.acceptsAnyJson).length, 20)
    // Only the providers' webhooks take any JSON: their bodies are verified byte for byte, not decoded.
    assert.deepStrictEqual(
      jsonBodyEndpoints.filter((endpoint) => endpoint.acceptsAnyJson).map((endpoint) => endpoint.path),
      ["/webhooks/stripe", "/webhooks/polar/:tenantId", "/webhooks/sepay/:tenantId"]
    )
  })

  for (const endpoint of jsonBodyEndpoints.filter((candidate) => !candidate.acceptsAnyJson)) {
    it.effect(`${endpoint.method} ${endpoint.path} answers 400 naming an unknown field and the accepted ones`, () =>
      Effect.gen(function*() {
        const operatorKey = yield* issueOperatorKey
        const response = yield* rawJson(endpoint.method, samplePath(endpoint.path), operatorKey, {
          zzUnknownField: 1
        })
        assert.strictEqual(response.status, 400)
        assert.strictEqual(response.body._tag, "HttpApiDecodeError")
        const issue = response.body.issues.find((candidate: { path: ReadonlyArray<string> }) =>
          candidate.path.join(".") === "zzUnknownField"
        )
        assert.isDefined(issue, response.body.message)
        assert.match(issue.message, /^is not a known field; the accepted fields are \w+/)
        assert.include(response.body.message, "zzUnknownField: is not a known field; the accepted fields are ")
      }).pipe(Effect.provide(TestServer)))
  }
})

describe("the misspellings that used to be dropped", () => {
  it.effect("a guardrail explain with `category` for `categoryId` answers 400, not a decision", () =>
    Effect.gen(function*() {
      const { guildId: guild, key } = yield* tenantWithGuild("Acme", PlanKey.make("basic"), guildId(301))
      const response = yield* rawJson("POST", `/assets/${guild}/guardrail/explain`, key, {
        userId: ownerId,
        memberRoles: [],
        memberPermissions: "0",
        channelId: "323456789012345678",
        category: "423456789012345678",
        appPermissions: "8",
        commandPath: ["rank"]
      })
      assert.strictEqual(response.status, 400)
      assert.deepStrictEqual(response.body.issues, [{
        _tag: "Unexpected",
        path: ["category"],
        message: "is not a known field; the accepted fields are userId, memberRoles, memberPermissions, channelId, " +
          "parentChannelId, categoryId, appPermissions, commandPath"
      }])
    }).pipe(Effect.provide(TestServer)))

  it.effect("POST /tenants with `plan` answers 400 (the field is planKey), not a tenant on the free plan", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const response = yield* rawJson("POST", "/tenants", operatorKey, { name: "Acme", plan: "premium" })
      assert.strictEqual(response.status, 400)
      assert.strictEqual(
        response.body.message,
        "plan: is not a known field; the accepted fields are name, mode, planKey, guildDefaults"
      )
    }).pipe(Effect.provide(TestServer)))

  it.effect("a nested object is read strictly too", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const response = yield* rawJson("POST", "/tenants", operatorKey, {
        name: "Acme",
        guildDefaults: { locale: "vi", timeZone: "Asia/Ho_Chi_Minh" }
      })
      assert.strictEqual(response.status, 400)
      assert.deepStrictEqual(response.body.issues.map((issue: { path: ReadonlyArray<string> }) => issue.path), [[
        "guildDefaults",
        "timeZone"
      ]])
    }).pipe(Effect.provide(TestServer)))

  it.effect("an unknown query parameter answers 400 naming the accepted ones", () =>
    Effect.gen(function*() {
      const operatorKey = yield* issueOperatorKey
      const response = yield* rawJson("GET", "/jobs?statu=pending", operatorKey)
      assert.strictEqual(response.status, 400)
      assert.strictEqual(
        response.body.message,
        "statu: is not a known field; the accepted fields are status, kind, limit"
      )
      assert.strictEqual((yield* rawJson("GET", "/jobs?status=pending", operatorKey)).status, 200)
    }).pipe(Effect.provide(TestServer)))
})
