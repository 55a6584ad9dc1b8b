import { Context, DateTime, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import { type InvalidInput, validate } from "../errors.js"
import type { TenantId } from "../ids.js"
import { PlanCatalog, type UnknownPlan } from "../plans/PlanCatalog.js"
import { Crypto } from "../ports/Crypto.js"
import { LicenseRepo } from "../ports/LicenseRepo.js"
import { LicenseSigner, SignatureVerifier } from "../ports/LicenseSigning.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { UsageReportRepo } from "../ports/UsageReportRepo.js"
import { TenantNotFound } from "../tenancy/errors.js"
import { acceptUsageBatch } from "./acceptUsageBatch.js"
import { Lease, type SignedLease } from "./Lease.js"
import { LeasePolicy } from "./LeasePolicy.js"
import {
  type Activation,
  InstallFingerprint,
  License,
  LicenseId,
  LicenseNotFound,
  type LicenseStatus
} from "./License.js"
import { type IssueLicenseInput, type LeaseRequest, MaxActivations, Nonce, Version } from "./licenseInputs.js"
import { type KeyInvalid, LicenseKey } from "./LicenseKey.js"
import {
  ReportPublicKey,
  type SignedUsageBatch,
  type UsageReceipt,
  type UsageReport,
  type UsageReportBadSignature,
  type UsageReportConflict,
  type UsageReportNotActivated
} from "./UsageReport.js"
import { LicenseRefused } from "./validate.js"

export { LeasePolicy, type LeasePolicyService } from "./LeasePolicy.js"
export { type IssueLicenseInput, type LeaseRequest } from "./licenseInputs.js"

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

  /** A lease on `license`'s plan, flags and limits, signed with the server's key. */
  const signLease = (license: License, now: DateTime.Utc, notAfter: DateTime.Utc, nonce: string): SignedLease =>
    Lease.sign(
      signer,
      Lease.make({
        licenseId: license.id,
        tenantId: license.tenantId,
        plan: license.planKey,
        flags: license.flags,
        limits: license.limits,
        issuedAt: now,
        refreshInSec: Math.max(1, Math.round(Duration.toSeconds(policy.refreshEvery))),
        notAfter,
        nonce,
        keyId: signer.keyId
      })
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
      return signLease(granted, now, notAfter, nonce)
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
      const signed = signLease(license, now, notAfter, "offline")
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

  const acceptUsage = acceptUsageBatch(usage, verifier)

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
export interface LicensesService {
  /** A new license for the tenant and its key, shown once (only the key's hash is kept). */
  readonly issue: (
    tenantId: TenantId,
    input: IssueLicenseInput
  ) => Effect.Effect<{ license: License; key: Redacted.Redacted<string> }, TenantNotFound | UnknownPlan | InvalidInput>
  readonly list: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<License>, TenantNotFound>
  readonly get: (tenantId: TenantId, licenseId: LicenseId) => Effect.Effect<License, LicenseNotFound>
  /** Suspends the license: its installs are refused at their next refresh. */
  readonly suspend: (tenantId: TenantId, licenseId: LicenseId) => Effect.Effect<License, LicenseNotFound>
  /** Revokes the license for good: its installs are refused at their next refresh. */
  readonly revoke: (tenantId: TenantId, licenseId: LicenseId) => Effect.Effect<License, LicenseNotFound>
  /** Makes a suspended license active again. */
  readonly reinstate: (tenantId: TenantId, licenseId: LicenseId) => Effect.Effect<License, LicenseNotFound>
  /** A new key; the old ones keep working for `overlap` (zero: revoked at once). */
  readonly regenerate: (
    tenantId: TenantId,
    licenseId: LicenseId,
    overlap?: Duration.Duration
  ) => Effect.Effect<{ key: Redacted.Redacted<string>; oldKeysUntil: DateTime.Utc }, LicenseNotFound>
  /** The installs that hold the license. */
  readonly activations: (
    tenantId: TenantId,
    licenseId: LicenseId
  ) => Effect.Effect<ReadonlyArray<Activation>, LicenseNotFound>
  /** Activates or refreshes an install and answers a signed lease (or the refusal's code). */
  readonly lease: (request: LeaseRequest) => Effect.Effect<SignedLease, InvalidInput | LicenseRefused | KeyInvalid>
  /** Frees the install's slot; a key that is not valid any more can still free it. */
  readonly deactivate: (
    key: Redacted.Redacted<string>,
    fingerprint: InstallFingerprint
  ) => Effect.Effect<void, InvalidInput | LicenseRefused | KeyInvalid>
  /** An offline license file for an air-gapped install, valid for `validFor` (capped by the license's expiry). */
  readonly offlineFile: (
    tenantId: TenantId,
    licenseId: LicenseId,
    validFor: Duration.Duration
  ) => Effect.Effect<{ file: string; notAfter: DateTime.Utc }, LicenseRefused | LicenseNotFound>
  /** Takes an install's signed usage batch if it is the stream's next (ADR 082). */
  readonly acceptUsage: (
    signed: SignedUsageBatch
  ) => Effect.Effect<
    UsageReceipt,
    InvalidInput | UsageReportConflict | UsageReportBadSignature | UsageReportNotActivated
  >
  /** The usage reports received for the license. */
  readonly usageReports: (
    tenantId: TenantId,
    licenseId: LicenseId
  ) => Effect.Effect<ReadonlyArray<UsageReport>, LicenseNotFound>
  /** The id of the key leases are signed with. */
  readonly keyId: string
  /** The public key installs verify leases with. */
  readonly publicKey: string
}

export class Licenses extends Context.Tag("core/Licenses")<Licenses, LicensesService>() {
  static readonly layer = Layer.effect(Licenses, make)
}
