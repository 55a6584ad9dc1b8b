import { Context, DateTime, Duration, Effect, Either, Layer, Option, Redacted, Schema } from "effect"
import { InvalidInput, validate } from "../errors.js"
import type { TenantId } from "../ids.js"
import type { PlanKey } from "../plans/Plan.js"
import { PlanCatalog } from "../plans/PlanCatalog.js"
import { Crypto } from "../ports/Crypto.js"
import { LicenseRepo } from "../ports/LicenseRepo.js"
import { LicenseSigner, SignatureVerifier } from "../ports/LicenseSigning.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { UsageReportRepo } from "../ports/UsageReportRepo.js"
import { TenantNotFound } from "../tenancy/errors.js"
import { Lease, type SignedLease } from "./Lease.js"
import {
  type Activation,
  InstallFingerprint,
  License,
  LicenseId,
  type LicenseLimits,
  type LicenseStatus
} from "./License.js"
import { LicenseKey } from "./LicenseKey.js"
import {
  ReportPublicKey,
  type SignedUsageBatch,
  UsageBatches,
  UsageReceipt,
  UsageReport,
  UsageReportBadSignature,
  UsageReportConflict,
  UsageReportNotActivated
} from "./UsageReport.js"
import { LicenseRefused } from "./validate.js"

/** How often an install refreshes, and how long it may run on a lease without reaching the server. */
export interface LeasePolicyService {
  readonly refreshEvery: Duration.Duration
  readonly offlineGrace: Duration.Duration
}

export class LeasePolicy extends Context.Tag("core/LeasePolicy")<LeasePolicy, LeasePolicyService>() {
  /** Refresh hourly; keep serving a week without the server. */
  static readonly defaults: LeasePolicyService = { refreshEvery: Duration.hours(1), offlineGrace: Duration.days(7) }
  static readonly layer = (policy: LeasePolicyService = LeasePolicy.defaults) => Layer.succeed(LeasePolicy, policy)
}

/** The operator named a license this tenant does not have (or one that does not exist: the same answer). */
export class LicenseNotFound extends Schema.TaggedError<LicenseNotFound>()("LicenseNotFound", {
  licenseId: Schema.String,
  message: Schema.String
}) {
  static of(licenseId: string) {
    return new LicenseNotFound({ licenseId, message: `No license ${licenseId} for this tenant` })
  }
}

export interface IssueLicenseInput {
  /** Default: the tenant's plan. */
  readonly planKey?: PlanKey | undefined
  /** Default: 1. */
  readonly maxActivations?: number | undefined
  /** Null or absent: never expires. */
  readonly expiresAt?: DateTime.Utc | null | undefined
  /** Default: the plan's flags and limits. */
  readonly flags?: ReadonlyArray<string> | undefined
  readonly limits?: LicenseLimits | undefined
}

/** What an install sends to activate or refresh: its key, who it is, and a fresh nonce to echo. */
export interface LeaseRequest {
  readonly key: Redacted.Redacted<string>
  readonly fingerprint: InstallFingerprint
  readonly version: string
  readonly nonce: string
  /** The install's usage report public key (ADR 082); older installs send none. */
  readonly reportKey?: string | undefined
}

const MaxActivations = Schema.Int.pipe(
  Schema.between(1, 1_000, { message: () => "maxActivations: a whole number from 1 to 1,000" })
)
const Nonce = Schema.String.pipe(
  Schema.minLength(8, { message: () => "nonce: send a fresh random value of 8 to 128 characters" }),
  Schema.maxLength(128, { message: () => "nonce: send a fresh random value of 8 to 128 characters" })
)
const Version = Schema.String.pipe(
  Schema.minLength(1, { message: () => "version: send the install's Guildhall version" }),
  Schema.maxLength(64, { message: () => "version: at most 64 characters" })
)

const make = Effect.gen(function*() {
  const repo = yield* LicenseRepo
  const tenants = yield* TenantRepo
  const catalog = yield* PlanCatalog
  const signer = yield* LicenseSigner
  const verifier = yield* SignatureVerifier
  const crypto = yield* Crypto
  const policy = yield* LeasePolicy
  const usage = yield* UsageReportRepo

  const hashOf = (key: string) => LicenseKey.lookupHash(key, crypto.sha256Hex)

  const newKey = (licenseId: LicenseId, now: DateTime.Utc) =>
    Effect.map(crypto.randomToken(12), (nonce) => LicenseKey.issue(signer, licenseId, now, nonce))

  const tenantOf = (tenantId: TenantId) =>
    Effect.flatMap(
      tenants.findById(tenantId),
      Option.match({ onNone: () => Effect.fail(TenantNotFound.of(tenantId)), onSome: Effect.succeed })
    )

  const owned = (tenantId: TenantId, licenseId: LicenseId) =>
    Effect.flatMap(
      repo.find(tenantId, licenseId),
      Option.match({ onNone: () => Effect.fail(LicenseNotFound.of(licenseId)), onSome: Effect.succeed })
    )

  /** A new license for the tenant and its key, shown once (only the key's hash is kept). */
  const issue = (tenantId: TenantId, input: IssueLicenseInput) =>
    Effect.gen(function*() {
      const tenant = yield* tenantOf(tenantId)
      const plan = yield* catalog.get(input.planKey ?? tenant.planKey)
      const maxActivations = yield* validate(MaxActivations)(input.maxActivations ?? 1)
      const now = yield* DateTime.now
      const license = License.make({
        id: LicenseId.make(yield* crypto.uuid),
        tenantId,
        planKey: plan.key,
        flags: input.flags ?? plan.features,
        limits: input.limits ?? { ...plan.limits },
        maxActivations,
        status: "active",
        expiresAt: input.expiresAt ?? null,
        createdAt: now
      })
      const key = yield* newKey(license.id, now)
      yield* repo.create(license, hashOf(key), now)
      yield* Effect.logInfo("licenses: issued").pipe(Effect.annotateLogs({ tenantId, licenseId: license.id }))
      return { license, key: Redacted.make(key) }
    })

  const setStatus = (status: LicenseStatus) => (tenantId: TenantId, licenseId: LicenseId) =>
    Effect.flatMap(
      repo.setStatus(tenantId, licenseId, status),
      Option.match({
        onNone: () => Effect.fail(LicenseNotFound.of(licenseId)),
        onSome: (license) =>
          Effect.as(
            Effect.logInfo(`licenses: ${status}`).pipe(Effect.annotateLogs({ tenantId, licenseId })),
            license
          )
      })
    )

  /** A new key; the old ones keep working for `overlap` (zero: revoked at once). */
  const regenerate = (tenantId: TenantId, licenseId: LicenseId, overlap: Duration.Duration = Duration.zero) =>
    Effect.gen(function*() {
      yield* owned(tenantId, licenseId)
      const now = yield* DateTime.now
      const key = yield* newKey(licenseId, now)
      yield* repo.replaceKey(tenantId, licenseId, hashOf(key), now, DateTime.addDuration(now, overlap))
      return { key: Redacted.make(key), oldKeysUntil: DateTime.addDuration(now, overlap) }
    })

  const activations = (tenantId: TenantId, licenseId: LicenseId): Effect.Effect<
    ReadonlyArray<Activation>,
    LicenseNotFound
  > => Effect.zipRight(owned(tenantId, licenseId), repo.activations(tenantId, licenseId))

  /** The license a presented key names: its signature first (KeyInvalid), then the stored hash (NOT_FOUND). */
  const licenseOfKey = (key: Redacted.Redacted<string>, now: DateTime.Utc) =>
    Effect.gen(function*() {
      const claim = LicenseKey.parse(Redacted.value(key), verifier, signer.publicKey)
      if (Either.isLeft(claim)) return yield* claim.left
      const license = yield* repo.findByKeyHash(hashOf(Redacted.value(key).trim()), now)
      if (Option.isNone(license) || license.value.id !== claim.right.licenseId) {
        return yield* LicenseRefused.of("NOT_FOUND")
      }
      return license.value
    })

  /**
   * Activates (or re-activates) the install and answers a signed lease. The
   * same call refreshes: an install that holds the license is seen again and
   * gets a new lease; one that lost it (revoked, suspended, expired) gets the
   * refusal's code.
   */
  const lease = (request: LeaseRequest) =>
    Effect.gen(function*() {
      const fingerprint = yield* validate(InstallFingerprint)(request.fingerprint)
      const nonce = yield* validate(Nonce)(request.nonce)
      const version = yield* validate(Version)(request.version)
      const reportKey = request.reportKey === undefined
        ? undefined
        : yield* validate(ReportPublicKey)(request.reportKey)
      const now = yield* DateTime.now
      const license = yield* licenseOfKey(request.key, now)
      const outcome = yield* repo.activate(license.id, fingerprint, version, now)
      if (outcome._tag === "Refused") return yield* outcome.refusal
      const granted = outcome.license
      if (reportKey !== undefined) {
        const pinned = yield* usage.registerKey(granted.tenantId, granted.id, fingerprint, reportKey, now)
        if (pinned !== reportKey) {
          yield* Effect.logWarning("licenses: an install sent another report key; its first one stays").pipe(
            Effect.annotateLogs({ licenseId: granted.id, installId: fingerprint.installId })
          )
        }
      }
      const offlineEnd = DateTime.addDuration(now, policy.offlineGrace)
      const notAfter = granted.expiresAt !== null && DateTime.lessThan(granted.expiresAt, offlineEnd)
        ? granted.expiresAt
        : offlineEnd
      const signed: SignedLease = Lease.sign(
        signer,
        Lease.make({
          licenseId: granted.id,
          tenantId: granted.tenantId,
          plan: granted.planKey,
          flags: granted.flags,
          limits: granted.limits,
          issuedAt: now,
          refreshInSec: Math.max(1, Math.round(Duration.toSeconds(policy.refreshEvery))),
          notAfter,
          nonce,
          keyId: signer.keyId
        })
      )
      return signed
    })

  /**
   * An offline license file for an air-gapped install (GUILDHALL_LICENSE_FILE):
   * a lease signed like any other, valid for `validFor` (capped by the
   * license's expiry), answering no request (its nonce says so). Only for an
   * active license; it does not take an activation slot.
   */
  const offlineFile = (tenantId: TenantId, licenseId: LicenseId, validFor: Duration.Duration) =>
    Effect.gen(function*() {
      const license = yield* owned(tenantId, licenseId)
      if (license.status !== "active") {
        return yield* LicenseRefused.of(
          license.status === "revoked" ? "REVOKED" : license.status === "suspended" ? "SUSPENDED" : "EXPIRED"
        )
      }
      const now = yield* DateTime.now
      const end = DateTime.addDuration(now, validFor)
      const notAfter = license.expiresAt !== null && DateTime.lessThan(license.expiresAt, end) ? license.expiresAt : end
      const signed = Lease.sign(
        signer,
        Lease.make({
          licenseId,
          tenantId,
          plan: license.planKey,
          flags: license.flags,
          limits: license.limits,
          issuedAt: now,
          refreshInSec: Math.max(1, Math.round(Duration.toSeconds(policy.refreshEvery))),
          notAfter,
          nonce: "offline",
          keyId: signer.keyId
        })
      )
      yield* Effect.logInfo("licenses: offline file issued").pipe(Effect.annotateLogs({ tenantId, licenseId }))
      return { file: Lease.encodeFile(signed), notAfter }
    })

  /** Frees the install's slot; a key that is not valid any more can still free it. */
  const deactivate = (key: Redacted.Redacted<string>, fingerprintInput: InstallFingerprint) =>
    Effect.gen(function*() {
      const fingerprint = yield* validate(InstallFingerprint)(fingerprintInput)
      const claim = LicenseKey.parse(Redacted.value(key), verifier, signer.publicKey)
      if (Either.isLeft(claim)) return yield* claim.left
      const freed = yield* repo.deactivate(claim.right.licenseId, fingerprint)
      if (!freed) return yield* LicenseRefused.of("NOT_FOUND")
    })

  /**
   * Takes a usage batch (ADR 082): the install's stream must exist (it
   * activated with a report key), the signature must be that key's, and the
   * sequence must be the stream's next; a replayed or early one is refused
   * with the sequence expected.
   */
  const acceptUsage = (signed: SignedUsageBatch) =>
    Effect.gen(function*() {
      const read = UsageBatches.read(signed)
      if (Either.isLeft(read)) return yield* new InvalidInput({ message: read.left })
      const batch = read.right
      const stream = yield* usage.stream(batch.licenseId, batch.fingerprint)
      if (Option.isNone(stream)) return yield* UsageReportNotActivated.of()
      if (!UsageBatches.verify(signed, stream.value.reportKey, verifier)) return yield* UsageReportBadSignature.of()
      const now = yield* DateTime.now
      const outcome = yield* usage.append(
        UsageReport.make({ ...batch, tenantId: stream.value.tenantId, receivedAt: now })
      )
      if (outcome._tag === "Replayed") {
        return yield* UsageReportConflict.replayed(batch.sequence, outcome.expectedSequence)
      }
      if (outcome._tag === "Gap") {
        return yield* UsageReportConflict.gap(batch.sequence, outcome.expectedSequence)
      }
      yield* Effect.logDebug("licenses: usage batch received").pipe(
        Effect.annotateLogs({ licenseId: batch.licenseId, sequence: batch.sequence })
      )
      return UsageReceipt.make({ sequence: batch.sequence, receivedAt: now })
    })

  const usageReports = (tenantId: TenantId, licenseId: LicenseId) =>
    Effect.zipRight(owned(tenantId, licenseId), usage.list(tenantId, licenseId))

  return {
    acceptUsage,
    usageReports,
    issue,
    list: (tenantId: TenantId) => Effect.zipRight(tenantOf(tenantId), repo.list(tenantId)),
    get: owned,
    suspend: setStatus("suspended"),
    revoke: setStatus("revoked"),
    reinstate: setStatus("active"),
    regenerate,
    activations,
    lease,
    deactivate,
    offlineFile,
    keyId: signer.keyId,
    publicKey: signer.publicKey
  } as const
})

/**
 * The license server (hosted): licenses for tenants' self-host installs, their
 * keys, and the signed leases activated installs run on (ADR 080).
 */
export class Licenses extends Context.Tag("core/Licenses")<Licenses, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Licenses, make)
}
