import { HttpClient, OpenApi } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { Api } from "../../adapters/http/index.js"
import { TestServer } from "./harness.js"

const checkedIn = () => JSON.parse(readFileSync(new URL("../../docs/API/openapi.json", import.meta.url), "utf8"))

describe("OpenAPI", () => {
  it.effect("/openapi.json is served and equals the checked-in document", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get("/openapi.json")
      assert.strictEqual(response.status, 200)
      const served = yield* response.json
      assert.deepStrictEqual(served, checkedIn())
      assert.deepStrictEqual(served, JSON.parse(JSON.stringify(OpenApi.fromApi(Api))))
    }).pipe(Effect.provide(TestServer)))

  it.effect("/docs is a self-contained page: no script or stylesheet from the network", () =>
    Effect.gen(function*() {
      const response = yield* HttpClient.get("/docs")
      assert.strictEqual(response.status, 200)
      assert.include(response.headers["content-type"], "text/html")
      const html = yield* response.text
      assert.include(html, "SwaggerUIBundle")
      assert.include(html, "\"title\":\"Guildhall\"")
      assert.notMatch(html, /<(script|link)[^>]+(src|href)=["']?(https?:)?\/\//i)
    }).pipe(Effect.provide(TestServer)))
})
