import { type DateTime, type Redacted, Schema } from "effect"
import type { PlanKey } from "../plans/Plan.js"
import type { InstallFingerprint, LicenseLimits } from "./License.js"

// What the license server is asked for: a license to issue, a lease to sign,
// and the limits those requests are checked against.

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

export const MaxActivations = Schema.Int.pipe(
  Schema.between(1, 1_000, { message: () => "maxActivations: a whole number from 1 to 1,000" })
)
export const Nonce = Schema.String.pipe(
  Schema.minLength(8, { message: () => "nonce: send a fresh random value of 8 to 128 characters" }),
  Schema.maxLength(128, { message: () => "nonce: send a fresh random value of 8 to 128 characters" })
)
export const Version = Schema.String.pipe(
  Schema.minLength(1, { message: () => "version: send the install's Guildhall version" }),
  Schema.maxLength(64, { message: () => "version: at most 64 characters" })
)
