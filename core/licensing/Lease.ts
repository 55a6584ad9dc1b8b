import { DateTime, Duration, Either, Encoding, Option, Schema } from "effect"
import { canonicalJson } from "../bot/DiscordCommandJson.js"
import { formatIssues } from "../formatIssues.js"
import { TenantId } from "../ids.js"
import { PlanKey } from "../plans/Plan.js"
import type { LicenseSignerService, SignatureVerifierService } from "../ports/LicenseSigning.js"
import { LicenseId, LicenseLimits } from "./License.js"

/** How far a lease's issuedAt may be ahead of this install's clock (the two clocks are not the same clock). */
export const leaseClockSkew = Duration.minutes(5)

/** Names what a lease signature covers, so no other message signed with the license key can pass for a lease. */
const leaseContext = "guildhall-lease/1"
const fileFormat = "guildhall-lease/1"

/** A lease as the license server signs it and a self-host install stores it. */
export const SignedLease = Schema.Struct({
  /** base64url of the lease's canonical JSON. */
  lease: Schema.String,
  /** base64url Ed25519 signature of `guildhall-lease/1.<lease>`. */
  signature: Schema.String
})
export type SignedLease = typeof SignedLease.Type

export const LeaseRejectionCode = Schema.Literal("TAMPERED", "NOT_YET_VALID", "CLOCK_ROLLBACK", "REPLAYED", "EXPIRED")
export type LeaseRejectionCode = typeof LeaseRejectionCode.Type

const explanations: Record<LeaseRejectionCode, { readonly message: string; readonly remediation: string }> = {
  TAMPERED: {
    message: "The lease's signature does not match: it was altered, cannot be read, " +
      "or was signed by another license server",
    remediation: "Check the license server's public key this install is configured with, then activate again"
  },
  NOT_YET_VALID: {
    message: "The lease was issued in the future by this install's clock",
    remediation: "Set this machine's clock right (enable NTP), then refresh the license"
  },
  CLOCK_ROLLBACK: {
    message: "This install's clock is earlier than when its last lease was issued: the clock was moved back",
    remediation: "Set this machine's clock right (enable NTP), then refresh the license"
  },
  REPLAYED: {
    message: "The lease answers another request (its nonce is not the one this install sent): it was replayed",
    remediation: "Refresh the license again; if this repeats, something between this install and " +
      "the license server is replaying old answers"
  },
  EXPIRED: {
    message: "The lease's offline grace has ended",
    remediation: "Let the install reach the license server (LICENSE_SERVER_BASE) so it can refresh, " +
      "or ask the operator for a new license file"
  }
}

export class LeaseRejected extends Schema.TaggedError<LeaseRejected>()("LeaseRejected", {
  code: LeaseRejectionCode,
  message: Schema.String,
  remediation: Schema.String
}) {
  static of(code: LeaseRejectionCode) {
    return new LeaseRejected({ code, ...explanations[code] })
  }
}

/** An offline license file (GUILDHALL_LICENSE_FILE) that is not one. */
export class LeaseFileInvalid extends Schema.TaggedError<LeaseFileInvalid>()("LeaseFileInvalid", {
  message: Schema.String
}) {}

const LeaseFile = Schema.parseJson(Schema.Struct({
  format: Schema.Literal(fileFormat),
  lease: Schema.String,
  signature: Schema.String
}))
const decodeLeaseFile = Schema.decodeUnknownEither(LeaseFile)

const signedMessage = (leaseSegment: string) => `${leaseContext}.${leaseSegment}`

const isSignedLease = (value: unknown): value is SignedLease =>
  typeof value === "object" && value !== null &&
  typeof (value as SignedLease).lease === "string" && typeof (value as SignedLease).signature === "string"

/**
 * What the license server grants an activated install, signed with its key:
 * the plan, flags and limits to apply, when to refresh, and until when the
 * install may keep running without reaching the server (`notAfter`, the end of
 * offline grace). The same lease drives hosted and self-host runtimes.
 */
export class Lease extends Schema.Class<Lease>("Lease")({
  licenseId: LicenseId,
  tenantId: TenantId,
  plan: PlanKey,
  flags: Schema.Array(Schema.String),
  limits: LicenseLimits,
  issuedAt: Schema.DateTimeUtc,
  refreshInSec: Schema.Int.pipe(Schema.positive()),
  notAfter: Schema.DateTimeUtc,
  /** Echoed from the activate/refresh request, so an old answer cannot be replayed. */
  nonce: Schema.String,
  /** The signer's key id. */
  keyId: Schema.String
}) {
  /** The lease signed: canonical JSON (sorted keys), so the same lease always signs the same bytes. */
  static sign(signer: LicenseSignerService, lease: Lease): SignedLease {
    const segment = Encoding.encodeBase64Url(canonicalJson(encodeLease(lease)))
    return { lease: segment, signature: signer.sign(signedMessage(segment)) }
  }

  /**
   * The lease, if `publicKey` signed it and it may be used at `now`. Checked in
   * order: TAMPERED (bad signature, unreadable, wrong key), NOT_YET_VALID
   * (issued more than `leaseClockSkew` ahead of `now`), CLOCK_ROLLBACK (`now`
   * more than `leaseClockSkew` before `lastIssuedAt`, the issuedAt of the last
   * lease this install accepted), REPLAYED (`expectedNonce` given and not the
   * lease's), EXPIRED (`now` past `notAfter`). The same skew is allowed both
   * ways so a lease just accepted is never refused as a rollback. Never throws:
   * `signed` may be anything read from the network or a file.
   */
  static verify(input: {
    readonly signed: SignedLease
    readonly publicKey: string
    readonly verifier: SignatureVerifierService
    readonly expectedNonce: Option.Option<string>
    readonly now: DateTime.Utc
    readonly lastIssuedAt: Option.Option<DateTime.Utc>
  }): Either.Either<Lease, LeaseRejected> {
    const { now, signed } = input
    if (!isSignedLease(signed)) return Either.left(LeaseRejected.of("TAMPERED"))
    if (!input.verifier.verify(input.publicKey, signedMessage(signed.lease), signed.signature)) {
      return Either.left(LeaseRejected.of("TAMPERED"))
    }
    const decoded = Either.flatMap(Encoding.decodeBase64UrlString(signed.lease), decodeLeaseJson)
    if (Either.isLeft(decoded)) return Either.left(LeaseRejected.of("TAMPERED"))
    const lease = decoded.right
    if (DateTime.greaterThan(lease.issuedAt, DateTime.addDuration(now, leaseClockSkew))) {
      return Either.left(LeaseRejected.of("NOT_YET_VALID"))
    }
    if (
      Option.isSome(input.lastIssuedAt) &&
      DateTime.lessThan(DateTime.addDuration(now, leaseClockSkew), input.lastIssuedAt.value)
    ) return Either.left(LeaseRejected.of("CLOCK_ROLLBACK"))
    if (Option.isSome(input.expectedNonce) && input.expectedNonce.value !== lease.nonce) {
      return Either.left(LeaseRejected.of("REPLAYED"))
    }
    if (DateTime.greaterThan(now, lease.notAfter)) return Either.left(LeaseRejected.of("EXPIRED"))
    return Either.right(lease)
  }

  /** An offline license file: the signed lease (with a long notAfter) in a small JSON document. */
  static encodeFile(signed: SignedLease): string {
    return JSON.stringify({ format: fileFormat, lease: signed.lease, signature: signed.signature }, null, 2) + "\n"
  }

  /** The signed lease in a license file; verify it with `Lease.verify` (no nonce: nothing was asked). */
  static decodeFile(text: string): Either.Either<SignedLease, LeaseFileInvalid> {
    return Either.match(decodeLeaseFile(text), {
      onLeft: (error) =>
        Either.left(
          new LeaseFileInvalid({
            message: `The license file is not a Guildhall license file (${fileFormat}): ${formatIssues(error)}`
          })
        ),
      onRight: ({ lease, signature }) => Either.right({ lease, signature })
    })
  }
}

const encodeLease = Schema.encodeSync(Lease)
const decodeLeaseJson = Schema.decodeUnknownEither(Schema.parseJson(Lease))
