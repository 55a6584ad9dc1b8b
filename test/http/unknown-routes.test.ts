import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { issueOperatorKey, TestServer } from "./harness.js"

const request = (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, key?: string) =>
  HttpClient.execute(
    HttpClientRequest.make(method)(path).pipe(
      key === undefined ? (request) => request : HttpClientRequest.bearerToken(key)
    )
  ).pipe(
    Effect.flatMap((response) =>
      Effect.map(response.text, (text) => ({
        status: response.status,
        allow: response.headers["allow"],
        contentType: response.headers["content-type"],
        body: JSON.parse(text)
      }))
    )
  )

describe("unknown routes and methods answer JSON", () => {
  it.effect("an unknown path answers 404 { _tag, message }", () =>
    Effect.gen(function*() {
      const response = yield* request("GET", "/tenant", yield* issueOperatorKey)
      assert.strictEqual(response.status, 404)
      assert.strictEqual(response.contentType, "application/json")
      assert.deepStrictEqual(response.body, {
        _tag: "RouteNotFound",
        message: "There is no /tenant: the API's paths are listed at /docs"
      })
      assert.isUndefined(response.allow)
    }).pipe(Effect.provide(TestServer)))

  it.effect("a known path with a method it lacks answers 405 with Allow from the Api", () =>
    Effect.gen(function*() {
      const key = yield* issueOperatorKey
      const tenants = yield* request("GET", "/tenants", key)
      assert.strictEqual(tenants.status, 405)
      assert.strictEqual(tenants.allow, "POST")
      assert.deepStrictEqual(tenants.body, {
        _tag: "MethodNotAllowed",
        message: "/tenants does not accept GET; it accepts POST"
      })

      const guild = yield* request("PATCH", "/assets/123456789012345678", key)
      assert.strictEqual(guild.status, 405)
      assert.strictEqual(guild.allow, "GET, PUT, DELETE")

      const openapi = yield* request("POST", "/openapi.json")
      assert.strictEqual(openapi.status, 405)
      assert.strictEqual(openapi.allow, "GET")
    }).pipe(Effect.provide(TestServer)))
})
