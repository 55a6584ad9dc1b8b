import { HttpApp, HttpMiddleware, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"

export const requestIdHeader = "x-request-id"

/** Ids a proxy or client may pass in: short, and safe to echo into a header and a log line. */
const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Gives every request an id (the caller's `x-request-id` when sane, else a
 * fresh UUID), echoes it on the response (error responses included, which is
 * why it is a pre-response handler) and annotates every log line of the
 * request with it.
 */
export const requestId = HttpMiddleware.make((app) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const incoming = request.headers[requestIdHeader]
    const id = incoming !== undefined && saneRequestId.test(incoming) ? incoming : globalThis.crypto.randomUUID()
    yield* HttpApp.appendPreResponseHandler((_request, response) =>
      Effect.succeed(HttpServerResponse.setHeader(response, requestIdHeader, id))
    )
    return yield* Effect.annotateLogs(app, "requestId", id)
  })
)
