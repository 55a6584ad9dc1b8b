import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Tracer } from "effect"
import { Readiness } from "../../core/index.js"
import { makeTestServer } from "./harness.js"

/** The native tracer, noting the name of every span it is asked for. */
const recordingTracer = Effect.map(Effect.tracer, (native) => {
  const names: Array<string> = []
  const tracer = Tracer.make({
    span: (name, ...rest) => {
      names.push(name)
      return native.span(name, ...rest)
    },
    context: native.context
  })
  return { names, tracer }
})

/** A readiness check that makes a span of its own, as a repository's SQL statement does. */
const TracedReadiness = Layer.succeed(
  Readiness,
  Readiness.of({ check: Effect.withSpan(Effect.void, "readiness.check") })
)

describe("HTTP tracing", () => {
  it.effect.each([false, true])(
    "with tracing %s, spans are made for a request and what it runs",
    (tracing) =>
      Effect.gen(function*() {
        const { names, tracer } = yield* recordingTracer
        const response = yield* HttpClient.get("/health/ready").pipe(
          Effect.provide(makeTestServer(TracedReadiness, {}, { tracing }).pipe(Layer.provide(Layer.setTracer(tracer))))
        )
        expect(response.status).toBe(200)
        expect(names.includes("readiness.check")).toBe(tracing)
        expect(names.some((name) => name.startsWith("http.server"))).toBe(tracing)
      })
  )
})
