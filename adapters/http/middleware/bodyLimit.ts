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
 * HttpApiBuilder reads bodies with `orDie`, so an unreadable body surfaces as a
 * RequestError defect that the platform answers with an empty 400. Turn the
 * two a caller can fix into answers that say what went wrong.
 */
const explainBodyDefect = (maxBytes: number) => (defect: unknown) => {
  if (!HttpServerError.isServerError(defect) || defect._tag !== "RequestError" || defect.reason !== "Decode") {
    return Option.none()
  }
  if (defect.cause instanceof SyntaxError) return Option.some(Effect.succeed(respondMalformedJson(defect.cause)))
  // The Node body reader's own wording when MaxBodySize is exceeded.
  if (defect.cause instanceof Error && defect.cause.message === "maxBytes exceeded") {
    return Option.some(Effect.succeed(respondTooLarge(maxBytes)))
  }
  return Option.none()
}

/**
 * Limits request bodies to `maxBytes`. A declared Content-Length over the
 * limit is refused before a byte is read; a body that only turns out too big
 * while streaming (chunked) is cut off by the MaxBodySize the readers honour.
 * Installed as HttpApi middleware so its responses pass through the normal
 * error handling and response hooks.
 */
export const bodyLimit = (maxBytes: number) =>
  HttpApiBuilder.middleware((app) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const declared = Number(request.headers["content-length"] ?? "0")
      if (declared > maxBytes) return respondTooLarge(maxBytes)
      return yield* app.pipe(
        HttpIncomingMessage.withMaxBodySize(Option.some(maxBytes)),
        Effect.catchSomeDefect(explainBodyDefect(maxBytes))
      )
    })
  )
