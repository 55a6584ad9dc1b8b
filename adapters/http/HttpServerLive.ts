import { HttpApiBuilder, HttpApiSwagger, HttpMiddleware } from "@effect/platform"
import { Effect, identity, Layer } from "effect"
import { HttpApiLive } from "./HttpApiLive.js"
import { bodyLimit, defaultMaxBodyBytes, defaultMaxImportBytes } from "./middleware/bodyLimit.js"
import { readableDecodeErrors } from "./middleware/readableDecodeErrors.js"
import { requestId } from "./middleware/requestId.js"
import { unknownRoutes } from "./middleware/unknownRoutes.js"

export interface HttpServerOptions {
  /** Largest request body accepted, in bytes; larger ones answer 413. Default 1 MiB. */
  readonly maxBodyBytes?: number | undefined
  /** Largest archive POST /imports accepts, in bytes. Default 256 MiB. */
  readonly maxImportBytes?: number | undefined
  /**
   * Effect tracing spans for each request and everything it runs (its SQL
   * statements, its transactions). Off by default: Guildhall exports spans
   * nowhere, and making them costs about a tenth of a millisecond of CPU per
   * request (ADR 084). Turn on when a Tracer is provided (an embedder's
   * OpenTelemetry, say).
   */
  readonly tracing?: boolean | undefined
}

/**
 * Serves the Api on the provided HttpServer: the handlers, `/openapi.json`,
 * a self-contained docs page at `/docs`, and the middleware stack (request
 * id outermost so the access log line carries it, then the access log, then
 * the body limit, decode errors worded for people, and JSON 404/405 answers
 * for unknown routes and methods). Requires HttpServer (with its platform services, e.g.
 * `NodeHttpServer.layer`) and the services HttpApiLive requires.
 */
export const HttpServerLive = (options: HttpServerOptions = {}) =>
  HttpApiBuilder.serve((app) =>
    Effect.withTracerEnabled(requestId(HttpMiddleware.logger(app)), options.tracing === true)
  )
    .pipe(
      // The request's own span is made outside the middleware above.
      options.tracing === true ? identity : HttpMiddleware.withTracerDisabledWhen(() => true),
      Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
      Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
      Layer.provide([readableDecodeErrors, unknownRoutes]),
      Layer.provide(
        bodyLimit(options.maxBodyBytes ?? defaultMaxBodyBytes, {
          "/imports": options.maxImportBytes ?? defaultMaxImportBytes
        })
      ),
      Layer.provide(HttpApiLive)
    )
