import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { Clock, Duration, Effect, Either, Option, Redacted } from "effect"
import { Licenses, UsageBatches } from "../../../core/index.js"
import { Api } from "../Api.js"
import { asOperatorOn } from "../Policy.js"
import { LicenseRateLimited } from "./Api.js"

/** Activation calls allowed per minute for one key, and from one address (fixed one-minute windows, per process). */
export const activationLimits = { perKey: 20, perAddress: 60 } as const
const window = Duration.minutes(1)

/** Counts calls per name in the current window; answers whether `name` is still under `limit`. */
const fixedWindows = () => {
  const counts = new Map<string, number>()
  let windowStart = 0
  return (name: string, limit: number, now: number): number | null => {
    if (now - windowStart >= Duration.toMillis(window)) {
      counts.clear()
      windowStart = now
    }
    const used = (counts.get(name) ?? 0) + 1
    counts.set(name, used)
    return used > limit ? Math.ceil((windowStart + Duration.toMillis(window) - now) / 1000) : null
  }
}

export const HttpLicenseServerLive = HttpApiBuilder.group(Api, "licenseServer", (handlers) =>
  Effect.gen(function*() {
    const licenses = yield* Licenses
    const over = fixedWindows()
    /** Per key (its first 64 characters name it well enough) and per calling address. */
    const limited = (key: Redacted.Redacted<string>) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const now = yield* Clock.currentTimeMillis
        const address = Option.getOrElse(request.remoteAddress, () => "unknown")
        const wait = over(`key:${Redacted.value(key).slice(0, 64)}`, activationLimits.perKey, now) ??
          over(`address:${address}`, activationLimits.perAddress, now)
        if (wait !== null) {
          return yield* new LicenseRateLimited({
            message: "Too many license calls for this key or from this address; wait and try again",
            retryAfterSeconds: wait
          })
        }
      })
    return handlers
      .handle("activate", ({ payload }) => Effect.zipRight(limited(payload.key), licenses.lease(payload)))
      .handle("refresh", ({ payload }) => Effect.zipRight(limited(payload.key), licenses.lease(payload)))
      .handle("deactivate", ({ payload }) =>
        Effect.zipRight(limited(payload.key), licenses.deactivate(payload.key, payload.fingerprint)))
      .handle("reportUsage", ({ payload }) =>
        Effect.zipRight(
          // Per license (its batches name it) and per address, like activation.
          limited(Redacted.make(Either.match(UsageBatches.read(payload), {
            onLeft: () =>
              "usage:unreadable",
            onRight: (batch) => `usage:${batch.licenseId}`
          }))),
          licenses.acceptUsage(payload)
        ))
      .handle("publicKey", () => Effect.succeed({ keyId: licenses.keyId, publicKey: licenses.publicKey }))
  }))

export const HttpLicensesLive = HttpApiBuilder.group(
  Api,
  "licenses",
  (handlers) =>
    Effect.map(Licenses, (licenses) =>
      handlers
        .handle(
          "issue",
          asOperatorOn("issue licenses")(({ tenantId }, { payload }) =>
            Effect.map(licenses.issue(tenantId, payload), ({ key, license }) => ({ license, key: Redacted.value(key) }))
          )
        )
        .handle("list", asOperatorOn("list licenses")(({ tenantId }) => licenses.list(tenantId)))
        .handle(
          "suspend",
          asOperatorOn("suspend licenses")(({ tenantId }, { path }) => licenses.suspend(tenantId, path.licenseId))
        )
        .handle(
          "revoke",
          asOperatorOn("revoke licenses")(({ tenantId }, { path }) => licenses.revoke(tenantId, path.licenseId))
        )
        .handle(
          "reinstate",
          asOperatorOn("reinstate licenses")(({ tenantId }, { path }) => licenses.reinstate(tenantId, path.licenseId))
        )
        .handle(
          "regenerate",
          asOperatorOn("regenerate license keys")(({ tenantId }, { path, payload }) =>
            Effect.map(
              licenses.regenerate(tenantId, path.licenseId, Duration.seconds(payload.overlapSeconds ?? 0)),
              ({ key, oldKeysUntil }) => ({ key: Redacted.value(key), oldKeysUntil })
            )
          )
        )
        .handle(
          "offlineFile",
          asOperatorOn("issue offline license files")(({ tenantId }, { path, payload }) =>
            licenses.offlineFile(tenantId, path.licenseId, Duration.days(payload.validDays ?? 365))
          )
        )
        .handle(
          "activations",
          asOperatorOn("list activations")(({ tenantId }, { path }) => licenses.activations(tenantId, path.licenseId))
        )
        .handle(
          "usageReports",
          asOperatorOn("list usage reports")(({ tenantId }, { path }) =>
            licenses.usageReports(tenantId, path.licenseId)
          )
        ))
)
