import { Context, DateTime, Duration, Effect, Either, Layer, Option, Random, type Redacted, Ref, Schema } from "effect"
import { supervisedLoop } from "../background/supervisedLoop.js"
import { Crypto } from "../ports/Crypto.js"
import { LicenseServer } from "../ports/LicenseServer.js"
import { SignatureVerifier } from "../ports/LicenseSigning.js"
import { PlatformSettingsRepo } from "../ports/PlatformSettingsRepo.js"
import { makeLeaseApplier } from "./applyLease.js"
import { Lease, SignedLease } from "./Lease.js"
import { UsageReporter } from "./UsageReporter.js"

/** How a self-host install is licensed: a key it activates online, or an offline lease file. */
export interface SelfHostLicenseSettingsService {
  /** GUILDHALL_LICENSE. */
  readonly key: Option.Option<Redacted.Redacted<string>>
  /** The contents of GUILDHALL_LICENSE_FILE (air-gapped installs). */
  readonly file: Option.Option<string>
  /** The license server's public key leases must be signed with. */
  readonly publicKey: string
  /** The install's Discord application (DISCORD_APPLICATION_ID): half of its fingerprint. */
  readonly applicationId: string
  /** This build's version, reported to the server. */
  readonly version: string
}

export class SelfHostLicenseSettings extends Context.Tag("core/SelfHostLicenseSettings")<
  SelfHostLicenseSettings,
  SelfHostLicenseSettingsService
>() {}

/** Where the install stands: on a fresh lease, on a stored one while the server is away, or degraded. */
export type LicenseStanding =
  | { readonly _tag: "Licensed"; readonly lease: Lease }
  | { readonly _tag: "OfflineGrace"; readonly lease: Lease; readonly remaining: Duration.Duration }
  | { readonly _tag: "Degraded"; readonly message: string; readonly remediation: string }

const installIdSetting = "install_id"
const leaseSetting = "license_lease"
/** When the server is unreachable, ask again this often (a refresh interval may be much longer). */
const retryUnreachable = Duration.minutes(5)

/** The last lease accepted, with when it was issued (a clock moved back before that is refused). */
const StoredLease = Schema.parseJson(Schema.Struct({ signed: SignedLease, issuedAt: Schema.DateTimeUtc }))
const decodeStored = Schema.decodeUnknownOption(StoredLease)
const encodeStored = Schema.encodeSync(StoredLease)

const make = Effect.gen(function*() {
  const settings = yield* SelfHostLicenseSettings
  const server = yield* LicenseServer
  const verifier = yield* SignatureVerifier
  const platform = yield* PlatformSettingsRepo
  const crypto = yield* Crypto
  const { applyGrant, knownPlan, setTenant } = yield* makeLeaseApplier
  // Optional: with it, the install registers its report key and reports usage after each good refresh (ADR 082).
  const reporter = yield* Effect.serviceOption(UsageReporter)
  const standing = yield* Ref.make<LicenseStanding>({
    _tag: "Degraded",
    message: "No license checked yet",
    remediation: "Wait for the first license check"
  })

  /** Generated once and stored: with the application id, what the server counts as one install. */
  const installId = yield* platform.getOrInsert(installIdSetting, yield* crypto.uuid)

  const storedLease = Effect.map(platform.get(leaseSetting), Option.flatMap(decodeStored))

  /** A lease checked against the operator's public key (and the nonce asked for, and the last lease's issue time). */
  const verify = (
    signed: SignedLease,
    now: DateTime.Utc,
    expectedNonce: Option.Option<string>,
    lastIssuedAt: Option.Option<DateTime.Utc>
  ) => Lease.verify({ signed, publicKey: settings.publicKey, verifier, expectedNonce, now, lastIssuedAt })

  const licensed = (lease: Lease, now: DateTime.Utc, offline: boolean) =>
    Effect.gen(function*() {
      const planKey = yield* knownPlan(lease)
      yield* setTenant(planKey === undefined ? { status: "active" } : { planKey, status: "active" })
      yield* applyGrant(lease)
      const next: LicenseStanding = offline
        ? { _tag: "OfflineGrace", lease, remaining: DateTime.distanceDuration(now, lease.notAfter) }
        : { _tag: "Licensed", lease }
      const previous = yield* Ref.getAndSet(standing, next)
      if (!offline && previous._tag !== "Licensed") {
        yield* Effect.logInfo(
          `license: licensed on the ${lease.plan} plan; it works offline until ${DateTime.formatIso(lease.notAfter)}`
        ).pipe(Effect.annotateLogs({ licenseId: lease.licenseId, refreshInSec: lease.refreshInSec }))
      }
      return next
    })

  const degrade = (message: string, remediation: string) =>
    Effect.gen(function*() {
      yield* setTenant({ status: "read_only" })
      yield* Effect.logError(`license: ${message}; the install is read-only until it is licensed again`).pipe(
        Effect.annotateLogs({ remediation })
      )
      const next: LicenseStanding = { _tag: "Degraded", message, remediation }
      yield* Ref.set(standing, next)
      return next
    })

  /** The stored lease while it lasts (the server is away, or its answer was not to be trusted). */
  const onStoredLease = (why: string) =>
    Effect.gen(function*() {
      const now = yield* DateTime.now
      const stored = yield* storedLease
      if (Option.isNone(stored)) {
        return yield* degrade(`${why}, and this install has no stored lease`, "Let it reach LICENSE_SERVER_BASE")
      }
      const checked = verify(stored.value.signed, now, Option.none(), Option.some(stored.value.issuedAt))
      if (Either.isLeft(checked)) return yield* degrade(checked.left.message, checked.left.remediation)
      const state = yield* licensed(checked.right, now, true)
      yield* Effect.logWarning(
        `license: ${why}; serving on the stored lease for another ` +
          Duration.format(DateTime.distanceDuration(now, checked.right.notAfter))
      )
      return state
    })

  /** Online: activate or refresh with the server, then verify and store what it signed. */
  const refreshOnline = (key: Redacted.Redacted<string>) =>
    Effect.gen(function*() {
      const nonce = yield* crypto.randomToken(16)
      const answer = yield* Effect.either(server.lease({
        key,
        fingerprint: { applicationId: settings.applicationId, installId },
        version: settings.version,
        nonce,
        ...(Option.isSome(reporter) ? { reportKey: reporter.value.publicKey } : {})
      }))
      if (Either.isLeft(answer)) {
        const failure = answer.left
        return failure._tag === "LicenseServerUnreachable"
          ? yield* onStoredLease(`the license server is unreachable (${failure.message})`)
          : yield* degrade(failure.message, failure.remediation)
      }
      const now = yield* DateTime.now
      const lastIssuedAt = Option.map(yield* storedLease, (stored) => stored.issuedAt)
      const checked = verify(answer.right, now, Option.some(nonce), lastIssuedAt)
      if (Either.isLeft(checked)) {
        if (checked.left.code === "CLOCK_ROLLBACK" || checked.left.code === "NOT_YET_VALID") {
          return yield* degrade(checked.left.message, checked.left.remediation)
        }
        return yield* onStoredLease(`the license server's answer was refused (${checked.left.code})`)
      }
      yield* platform.put(leaseSetting, encodeStored({ signed: answer.right, issuedAt: checked.right.issuedAt }))
      const state = yield* licensed(checked.right, now, false)
      if (Option.isSome(reporter)) {
        // Reporting never decides licensing: whatever goes wrong in it is logged and the standing stands.
        yield* reporter.value.report({
          licenseId: checked.right.licenseId,
          fingerprint: { applicationId: settings.applicationId, installId }
        }).pipe(
          Effect.catchAllCause((cause) => Effect.logError("usage reports: the round failed", cause))
        )
      }
      return state
    })

  /** Offline: the lease file, verified like any lease (no nonce: nothing was asked). */
  const checkFile = (text: string) =>
    Effect.gen(function*() {
      const signed = Lease.decodeFile(text)
      if (Either.isLeft(signed)) return yield* degrade(signed.left.message, "Use the license file the operator gave")
      const now = yield* DateTime.now
      const checked = verify(signed.right, now, Option.none(), Option.none())
      if (Either.isLeft(checked)) return yield* degrade(checked.left.message, checked.left.remediation)
      return yield* licensed(checked.right, now, false)
    })

  /** One license check, from the file or the server. */
  const check: Effect.Effect<LicenseStanding> = Option.match(settings.file, {
    onSome: checkFile,
    onNone: () =>
      Option.match(settings.key, {
        onSome: refreshOnline,
        onNone: () =>
          degrade(
            "No license: GUILDHALL_LICENSE and GUILDHALL_LICENSE_FILE are unset",
            "Set GUILDHALL_LICENSE to the key the operator issued (or GUILDHALL_LICENSE_FILE for an offline install)"
          )
      })
  })

  /** When to check next: the lease's refresh interval with ±10 % jitter, sooner while the server is away. */
  const nextCheckIn = (state: LicenseStanding) =>
    Effect.map(Random.nextRange(0.9, 1.1), (jitter) =>
      state._tag === "Licensed"
        ? Duration.millis(state.lease.refreshInSec * 1000 * jitter)
        : Duration.millis(Duration.toMillis(retryUnreachable) * jitter))

  /** What readiness says of the license (ADR 095): a degraded standing serves, so it is detail, not a failure. */
  const describe = (state: LicenseStanding) => {
    switch (state._tag) {
      case "Licensed":
        return `licensed on the ${state.lease.plan} plan until ${DateTime.formatIso(state.lease.notAfter)}`
      case "OfflineGrace":
        return `the license server is away; on the stored lease for another ${Duration.format(state.remaining)}`
      case "Degraded":
        return `degraded: ${state.message} (${state.remediation})`
    }
  }

  /**
   * Checks now, then again and again for the scope's lifetime; a check that
   * fails unexpectedly (the database is away) is logged and tried again with
   * backoff, as "license" in BackgroundComponents.
   */
  const run = supervisedLoop({ name: "license" }, (progress) =>
    Effect.gen(function*() {
      const state = yield* check
      yield* progress.succeeded(describe(state))
      yield* Effect.sleep(yield* nextCheckIn(state))
    }))

  return { check, run, standing: Ref.get(standing), installId } as const
})

/**
 * The self-host side of licensing (ADR 080): activates with the license
 * server (or reads an offline lease file), verifies every lease with the
 * operator's public key, applies the lease's plan to the one tenant, keeps
 * serving on the stored lease while the server is away until its notAfter,
 * and degrades to read-only past it or when the license is refused.
 */
export interface SelfHostLicenseService {
  /** One license check, from the file or the server; the standing it leaves. */
  readonly check: Effect.Effect<LicenseStanding>
  /** Checks now, then on the lease's refresh interval for the scope's lifetime ("license" in BackgroundComponents). */
  readonly run: Effect.Effect<never>
  /** The standing the last check left. */
  readonly standing: Effect.Effect<LicenseStanding>
  /** This install's id: with the application id, what the server counts as one install. */
  readonly installId: string
}

export class SelfHostLicense extends Context.Tag("core/SelfHostLicense")<SelfHostLicense, SelfHostLicenseService>() {
  static readonly layer = Layer.effect(SelfHostLicense, make)
}
