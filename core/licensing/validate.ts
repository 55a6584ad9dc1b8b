import { DateTime, Option, Schema } from "effect"
import { type Activation, fingerprintKey, type InstallFingerprint, type License } from "./License.js"

/** Why a license may not be used, in the order validation checks them. */
export const LicenseRefusalCode = Schema.Literal(
  "NOT_FOUND",
  "REVOKED",
  "SUSPENDED",
  "EXPIRED",
  "FINGERPRINT_MISMATCH",
  "TOO_MANY_ACTIVATIONS"
)
export type LicenseRefusalCode = typeof LicenseRefusalCode.Type

export type LicenseValidationCode = LicenseRefusalCode | "VALID"

const explanations: Record<LicenseRefusalCode, { readonly message: string; readonly remediation: string }> = {
  NOT_FOUND: {
    message: "No license matches this key",
    remediation: "Check GUILDHALL_LICENSE holds the current key (a regenerated key replaces the old one)"
  },
  REVOKED: {
    message: "This license has been revoked",
    remediation: "Contact the operator for a new license"
  },
  SUSPENDED: {
    message: "This license is suspended",
    remediation: "Contact the operator (a suspension usually follows an unpaid invoice); it resumes once lifted"
  },
  EXPIRED: {
    message: "This license has expired",
    remediation: "Renew the license with the operator"
  },
  FINGERPRINT_MISMATCH: {
    message: "This license is activated for another Discord application",
    remediation: "Run the install as the Discord application the license was activated with, " +
      "or deactivate the other installs first (one application per license)"
  },
  TOO_MANY_ACTIVATIONS: {
    message: "This license has no activations left",
    remediation: "Deactivate an install you no longer use, or ask the operator for more activations"
  }
}

/** The license may be used by this install. */
export interface LicenseValid {
  readonly _tag: "LicenseValid"
  readonly code: "VALID"
  readonly license: License
  /** The install's existing activation; none means activating it takes a new slot. */
  readonly activation: Option.Option<Activation>
}

/** The license may not be used by this install, with what to tell its admin. */
export class LicenseRefused extends Schema.TaggedError<LicenseRefused>()("LicenseRefused", {
  code: LicenseRefusalCode,
  message: Schema.String,
  remediation: Schema.String
}) {
  static of(code: LicenseRefusalCode) {
    return new LicenseRefused({ code, ...explanations[code] })
  }
}

export type LicenseValidation = LicenseValid | LicenseRefused

/**
 * Whether the install with `fingerprint` may use the license at `now`, given
 * the license's current activations. Codes are checked in a fixed order, so a
 * license that is both revoked and expired answers REVOKED. Pure: the
 * repository runs it inside the transaction that records the activation, which
 * is what makes the activation limit exact under concurrent activations.
 * Activations of other licenses are ignored.
 */
export const validateLicense = (input: {
  readonly license: Option.Option<License>
  readonly activations: ReadonlyArray<Activation>
  readonly fingerprint: InstallFingerprint
  readonly now: DateTime.Utc
}): LicenseValidation => {
  if (Option.isNone(input.license)) return LicenseRefused.of("NOT_FOUND")
  const license = input.license.value
  if (license.status === "revoked") return LicenseRefused.of("REVOKED")
  if (license.status === "suspended") return LicenseRefused.of("SUSPENDED")
  if (
    license.status === "expired" ||
    (license.expiresAt !== null && DateTime.lessThanOrEqualTo(license.expiresAt, input.now))
  ) return LicenseRefused.of("EXPIRED")
  const activations = input.activations.filter((activation) => activation.licenseId === license.id)
  if (activations.some((activation) => activation.fingerprint.applicationId !== input.fingerprint.applicationId)) {
    return LicenseRefused.of("FINGERPRINT_MISMATCH")
  }
  const key = fingerprintKey(input.fingerprint)
  const activation = Option.fromNullable(activations.find((existing) => fingerprintKey(existing.fingerprint) === key))
  if (Option.isNone(activation) && activations.length >= license.maxActivations) {
    return LicenseRefused.of("TOO_MANY_ACTIVATIONS")
  }
  return { _tag: "LicenseValid", code: "VALID", license, activation }
}
