import { Effect, Layer, Redacted, Schema } from "effect"
import { KeyInvalid, LicenseRefused, LicenseServer, LicenseServerUnreachable, SignedLease } from "../../core/index.js"

const Refusal = Schema.Union(LicenseRefused, KeyInvalid)
const decodeRefusal = Schema.decodeUnknownOption(Refusal)
const decodeLease = Schema.decodeUnknownOption(SignedLease)

/** How long one call to the license server may take before the install falls back to its stored lease. */
const timeout = "10 seconds"

/**
 * LicenseServer over HTTP: `POST {base}/licenses/refresh` (which also
 * activates). A refusal the server signs off with (403/400 with a code) is
 * the server's answer; anything else (network, 5xx, 429, a body that is not
 * ours) counts as unreachable, so the install keeps its stored lease.
 */
export const LicenseServerHttp = (baseUrl: string) =>
  Layer.succeed(
    LicenseServer,
    LicenseServer.of({
      lease: (request) =>
        Effect.gen(function*() {
          const response = yield* Effect.tryPromise({
            try: (signal) =>
              fetch(`${baseUrl.replace(/\/$/, "")}/licenses/refresh`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ ...request, key: Redacted.value(request.key) }),
                signal
              }).then(async (answer) => ({ status: answer.status, body: await answer.json().catch(() => null) })),
            catch: (error) =>
              new LicenseServerUnreachable({ message: error instanceof Error ? error.message : String(error) })
          }).pipe(
            Effect.timeoutFail({
              duration: timeout,
              onTimeout: () => new LicenseServerUnreachable({ message: `no answer within ${timeout}` })
            })
          )
          if (response.status === 200) {
            const lease = decodeLease(response.body)
            if (lease._tag === "Some") return lease.value
          }
          if (response.status === 400 || response.status === 403) {
            const refusal = decodeRefusal(response.body)
            if (refusal._tag === "Some") return yield* refusal.value
          }
          return yield* new LicenseServerUnreachable({ message: `the license server answered ${response.status}` })
        })
    })
  )
