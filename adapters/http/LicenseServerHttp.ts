import { Effect, Layer, Redacted, Schema } from "effect"
import {
  KeyInvalid,
  LicenseRefused,
  LicenseServer,
  LicenseServerUnreachable,
  SignedLease,
  UsageReceipt,
  UsageReportBadSignature,
  UsageReportConflict,
  UsageReportNotActivated
} from "../../core/index.js"

const Refusal = Schema.Union(LicenseRefused, KeyInvalid)
const UsageRefusal = Schema.Union(UsageReportConflict, UsageReportBadSignature, UsageReportNotActivated)
const decodeUsageRefusal = Schema.decodeUnknownOption(UsageRefusal)
const decodeReceipt = Schema.decodeUnknownOption(UsageReceipt)
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
export const LicenseServerHttp = (baseUrl: string) => {
  const post = (path: string, body: unknown) =>
    Effect.tryPromise({
      try: (signal) =>
        fetch(`${baseUrl.replace(/\/$/, "")}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
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
  return Layer.succeed(
    LicenseServer,
    LicenseServer.of({
      lease: (request) =>
        Effect.gen(function*() {
          const response = yield* post("/licenses/refresh", { ...request, key: Redacted.value(request.key) })
          if (response.status === 200) {
            const lease = decodeLease(response.body)
            if (lease._tag === "Some") return lease.value
          }
          if (response.status === 400 || response.status === 403) {
            const refusal = decodeRefusal(response.body)
            if (refusal._tag === "Some") return yield* refusal.value
          }
          return yield* new LicenseServerUnreachable({ message: `the license server answered ${response.status}` })
        }),
      // POST {base}/licenses/usage: 401/404/409 with a code are the server's refusal; anything else is unreachable.
      reportUsage: (batch) =>
        Effect.gen(function*() {
          const response = yield* post("/licenses/usage", batch)
          if (response.status === 200) {
            const receipt = decodeReceipt(response.body)
            if (receipt._tag === "Some") return receipt.value
          }
          if (response.status === 401 || response.status === 404 || response.status === 409) {
            const refusal = decodeUsageRefusal(response.body)
            if (refusal._tag === "Some") return yield* refusal.value
          }
          return yield* new LicenseServerUnreachable({ message: `the license server answered ${response.status}` })
        })
    })
  )
}
