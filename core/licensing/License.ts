import { Schema } from "effect"
import { Snowflake, TenantId } from "../ids.js"
import { Limit, PlanKey } from "../plans/Plan.js"

export const LicenseId = Schema.UUID.pipe(Schema.brand("LicenseId"))
export type LicenseId = typeof LicenseId.Type

export const LicenseStatus = Schema.Literal("active", "suspended", "revoked", "expired")
export type LicenseStatus = typeof LicenseStatus.Type

/** Numeric limits by name, -1 meaning unlimited (as in a plan's limits). */
export const LicenseLimits = Schema.Record({ key: Schema.String, value: Limit })
export type LicenseLimits = typeof LicenseLimits.Type

/** What a self-host install may run: the plan, flags and limits it applies to its one tenant. */
export class License extends Schema.Class<License>("License")({
  id: LicenseId,
  tenantId: TenantId,
  planKey: PlanKey,
  flags: Schema.Array(Schema.String),
  limits: LicenseLimits,
  /** Installs that may hold the license at once. */
  maxActivations: Schema.Int.pipe(Schema.positive()),
  status: LicenseStatus,
  /** Null: never expires. */
  expiresAt: Schema.NullOr(Schema.DateTimeUtc),
  createdAt: Schema.DateTimeUtc
}) {}

/**
 * Which install holds a license: the Discord application it runs as and the
 * id the install generated once and stored. Not hardware, so a new container
 * of the same install is the same activation.
 */
export const InstallFingerprint = Schema.Struct({
  /** A Discord snowflake (digits only, so it cannot contain the key's ':'). */
  applicationId: Snowflake("The install's Discord application id"),
  installId: Schema.String.pipe(
    Schema.minLength(1, { message: () => "An install id must not be empty" }),
    Schema.maxLength(128, { message: () => "An install id must be at most 128 characters" })
  )
})
export type InstallFingerprint = typeof InstallFingerprint.Type

/** One install holding a license. */
export class Activation extends Schema.Class<Activation>("Activation")({
  licenseId: LicenseId,
  fingerprint: InstallFingerprint,
  /** The Guildhall version the install last reported. */
  version: Schema.String,
  firstSeen: Schema.DateTimeUtc,
  lastSeen: Schema.DateTimeUtc
}) {}

/** The fingerprint as one string ("applicationId:installId"), for unique keys and lookups. */
export const fingerprintKey = (fingerprint: InstallFingerprint): string =>
  `${fingerprint.applicationId}:${fingerprint.installId}`

/** The operator named a license this tenant does not have (or one that does not exist: the same answer). */
export class LicenseNotFound extends Schema.TaggedError<LicenseNotFound>()("LicenseNotFound", {
  licenseId: Schema.String,
  message: Schema.String
}) {
  static of(licenseId: string) {
    return new LicenseNotFound({ licenseId, message: `No license ${licenseId} for this tenant` })
  }
}
