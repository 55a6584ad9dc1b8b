import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, HashMap, Layer, Logger, Option, Stream } from "effect"
import { issueOperatorKey, TestServer } from "./harness.js"

const oneMebibyte = 1024 * 1024

const createTenant = (
  key: string,
  body: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest
) =>
  HttpClient.execute(HttpClientRequest.post("/tenants").pipe(HttpClientRequest.bearerToken(key), body)).pipe(
    Effect.flatMap((response) => Effect.map(response.text, (text) => ({ status: response.status, text })))
  )

/** A JSON body of about `bytes` bytes: a tenant whose name is far too long. */
const jsonOfSize = (bytes: number) => `{"name":"${"x".repeat(bytes - 11)}"}`

describe("body limit", () => {
  it.effect("a body over 1 MiB answers 413 with the limit", () =>
    Effect.gen(function*() {
      const key = yield* issueOperatorKey
      const response = yield* createTenant(
        key,
        HttpClientRequest.bodyText(jsonOfSize(oneMebibyte + 1), "application/json")
      )
      assert.strictEqual(response.status, 413)
      assert.deepStrictEqual(JSON.parse(response.text), {
        _tag: "PayloadTooLarge",
        maxBytes: oneMebibyte,
        message: `The request body is larger than the ${oneMebibyte}-byte limit; send a smaller body`
      })
    }).pipe(Effect.provide(TestServer)))

  it.effect("a streamed (chunked) body over 1 MiB answers 413 too", () =>
    Effect.gen(function*() {
      const key = yield* issueOperatorKey
      const chunk = new TextEncoder().encode("x".repeat(64 * 1024))
      const body = Stream.concat(
        Stream.make(new TextEncoder().encode("{\"name\":\"")),
        Stream.fromChunk(Chunk.makeBy(20, () => chunk))
      )
      const response = yield* createTenant(key, HttpClientRequest.bodyStream(body, { contentType: "application/json" }))
      assert.strictEqual(response.status, 413)
      assert.include(response.text, "PayloadTooLarge")
    }).pipe(Effect.provide(TestServer)))

  it.effect("a streamed (chunked) body under the limit reaches the handler", () =>
    Effect.gen(function*() {
      const key = yield* issueOperatorKey
      const body = Stream.make("{\"name\":", "\"Acme\"}").pipe(Stream.encodeText)
      const response = yield* createTenant(key, HttpClientRequest.bodyStream(body, { contentType: "application/json" }))
      assert.strictEqual(response.status, 201)
      assert.strictEqual(JSON.parse(response.text).name, "Acme")
    }).pipe(Effect.provide(TestServer)))

  it.effect("a body just under the limit reaches the handler", () =>
    Effect.gen(function*() {
      const key = yield* issueOperatorKey
      const response = yield* createTenant(
        key,
        HttpClientRequest.bodyText(jsonOfSize(oneMebibyte - 1024), "application/json")
      )
      assert.strictEqual(response.status, 400)
      assert.include(response.text, "A tenant name must be at most 100 characters")
    }).pipe(Effect.provide(TestServer)))

  it.effect("a body that is not JSON answers 400 saying so", () =>
    Effect.gen(function*() {
      const key = yield* issueOperatorKey
      const response = yield* createTenant(key, HttpClientRequest.bodyText("{\"name\": ", "application/json"))
      assert.strictEqual(response.status, 400)
      const body = JSON.parse(response.text)
      assert.strictEqual(body._tag, "HttpApiDecodeError")
      assert.include(body.message, "The request body is not valid JSON")
    }).pipe(Effect.provide(TestServer)))
})

describe("request ids", () => {
  it.effect("every response carries x-request-id: a fresh one, or the caller's when sane", () =>
    Effect.gen(function*() {
      const generated = yield* HttpClient.get("/health/live")
      assert.match(
        generated.headers["x-request-id"] ?? "",
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
      )
      const another = yield* HttpClient.get("/health/live")
      assert.notStrictEqual(another.headers["x-request-id"], generated.headers["x-request-id"])

      const honoured = yield* HttpClient.get("/health/live", { headers: { "x-request-id": "edge-42.abc" } })
      assert.strictEqual(honoured.headers["x-request-id"], "edge-42.abc")

      const insane = yield* HttpClient.get("/health/live", { headers: { "x-request-id": "a b<script>" } })
      assert.notStrictEqual(insane.headers["x-request-id"], "a b<script>")
      assert.match(insane.headers["x-request-id"] ?? "", /^[0-9a-f-]{36}$/)

      // Error responses too: a 401 and an unknown route.
      const unauthorized = yield* HttpClient.get("/tenants/00000000-0000-4000-8000-000000000000")
      assert.strictEqual(unauthorized.status, 401)
      assert.isString(unauthorized.headers["x-request-id"])
      const notFound = yield* HttpClient.get("/nowhere")
      assert.strictEqual(notFound.status, 404)
      assert.isString(notFound.headers["x-request-id"])
    }).pipe(Effect.provide(TestServer)))

  it.effect("log lines written while serving a request carry its id", () => {
    const lines: Array<{ readonly message: unknown; readonly requestId: unknown }> = []
    const CaptureLogs = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ annotations, message }) => {
        lines.push({ message, requestId: Option.getOrUndefined(HashMap.get(annotations, "requestId")) })
      })
    )
    return Effect.gen(function*() {
      const key = yield* issueOperatorKey
      const response = yield* createTenant(
        key,
        (request) =>
          request.pipe(
            HttpClientRequest.setHeader("x-request-id", "req-tenant-1"),
            HttpClientRequest.bodyUnsafeJson({ name: "Acme" })
          )
      )
      assert.strictEqual(response.status, 201)
      const forRequest = lines.filter((line) => line.requestId === "req-tenant-1").map((line) => line.message)
      assert.deepInclude(forRequest, ["tenant created"])
      assert.deepInclude(forRequest, ["Sent HTTP response"])
    }).pipe(Effect.provide(TestServer.pipe(Layer.provide(CaptureLogs))))
  })
})
