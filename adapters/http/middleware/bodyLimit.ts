import {
  HttpApiBuilder,
  HttpApiError,
  HttpIncomingMessage,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import { PayloadTooLarge } from "../PayloadTooLarge.js"

export const defaultMaxBodyBytes = 1024 * 1024
/** Default for POST /imports: an export archive of a large tenant. */
export const defaultMaxImportBytes = 256 * 1024 * 1024

/**
 * How far past the limit a streamed body is still read (and discarded) so the
 * caller gets a 413. Past it the platform cuts the connection instead.
 */
const streamedBodyReadFactor = 10

const respondTooLarge = (maxBytes: number) =>
  HttpServerResponse.unsafeJson(Schema.encodeSync(PayloadTooLarge)(PayloadTooLarge.of(maxBytes)), { status: 413 })

const respondMalformedJson = (cause: SyntaxError) =>
  HttpServerResponse.unsafeJson(
    Schema.encodeSync(HttpApiError.HttpApiDecodeError)(
      new HttpApiError.HttpApiDecodeError({
        issues: [],
        message: `The request body is not valid JSON (${cause.message}); send a JSON object`
      })
    ),
    { status: 400 }
  )

/**
 * HttpApiBuilder reads bodies with `orDie`, so invalid JSON surfaces as a
 * RequestError defect that the platform answers with an empty 400. Say what
 * is wrong instead.
 */
const explainMalformedJson = (defect: unknown) =>
  HttpServerError.isServerError(defect) && defect._tag === "RequestError" && defect.cause instanceof SyntaxError
    ? Option.some(Effect.succeed(respondMalformedJson(defect.cause)))
    : Option.none()

/** Bodies HttpApiBuilder reads through the request's cached `text`, so reading them here first is free. */
const isReadAsText = (request: HttpServerRequest.HttpServerRequest) => {
  const contentType = request.headers["content-type"] ?? "application/json"
  return contentType.includes("json") || contentType.startsWith("text/") || contentType.includes("urlencoded")
}

const byteLength = (text: string) => new TextEncoder().encode(text).byteLength

/**
 * Limits request bodies to `maxBytes` and answers 413 past it.
 *
 * A declared Content-Length over the limit is refused before a byte is read.
 * A streamed (chunked) body has no length up front, and the platform's
 * MaxBodySize check destroys the socket when exceeded, so the caller would
 * see a reset, not a 413: such bodies are read here first (bounded), and the
 * handler reuses the text the request caches.
 *
 * `perPath` raises (or lowers) the limit for exact paths (`/imports` takes
 * archives far larger than any JSON body).
 *
 * Installed as HttpApi middleware so its responses go through the normal
 * response hooks (request id) and the access log.
 */
export const bodyLimit = (defaultMaxBytes: number, perPath: Readonly<Record<string, number>> = {}) =>
  HttpApiBuilder.middleware((app) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const maxBytes = perPath[request.url.split("?")[0]!] ?? defaultMaxBytes
      const declared = request.headers["content-length"]
      if (declared !== undefined && Number(declared) > maxBytes) return respondTooLarge(maxBytes)
      if (declared === undefined && request.headers["transfer-encoding"] !== undefined && isReadAsText(request)) {
        const text = yield* request.text.pipe(
          HttpIncomingMessage.withMaxBodySize(Option.some(maxBytes * streamedBodyReadFactor)),
          Effect.orDie
        )
        if (byteLength(text) > maxBytes) return respondTooLarge(maxBytes)
      }
      return yield* app.pipe(
        HttpIncomingMessage.withMaxBodySize(Option.some(maxBytes)),
        Effect.catchSomeDefect(explainMalformedJson)
      )
    })
  )
