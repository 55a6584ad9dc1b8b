import { Context, type DateTime, type Effect, type Option } from "effect"
import type { TenantId } from "../ids.js"
import type { InstallFingerprint, LicenseId } from "../licensing/License.js"
import type { UsageReport } from "../licensing/UsageReport.js"

/** One install's report stream for one license: the key it signs with and the last sequence taken. */
export interface UsageStream {
  readonly tenantId: TenantId
  readonly licenseId: LicenseId
  readonly fingerprint: InstallFingerprint
  /** The install's Ed25519 report public key (base64url), pinned when it first activated with one. */
  readonly reportKey: string
  /** 0 before the first batch. */
  readonly lastSequence: number
}

/** What appending a batch did: taken, or refused because its sequence is not the next one. */
export type UsageAppendOutcome =
  | { readonly _tag: "Accepted" }
  | { readonly _tag: "Replayed"; readonly expectedSequence: number }
  | { readonly _tag: "Gap"; readonly expectedSequence: number }

/**
 * The license server's usage reports (ADR 082): a stream per license and
 * install (kept when the install deactivates, so its numbering never
 * restarts) and the batches taken. Streams are found by license and install
 * in platform context (the server does not know the tenant yet); the rest runs
 * in the tenant's.
 */
export interface UsageReportRepoService {
  /**
   * Registers the install's report key for the license, unless it already
   * has one (the first key stays: a later activation with another key, by
   * whoever holds the license key, cannot take over the stream). Answers the
   * key in force.
   */
  readonly registerKey: (
    tenantId: TenantId,
    licenseId: LicenseId,
    fingerprint: InstallFingerprint,
    reportKey: string,
    now: DateTime.Utc
  ) => Effect.Effect<string>
  readonly stream: (licenseId: LicenseId, fingerprint: InstallFingerprint) => Effect.Effect<Option.Option<UsageStream>>
  /**
   * Stores the batch if its sequence is the stream's last + 1, as one step
   * under the stream's lock: concurrent sends of the same sequence store it once.
   */
  readonly append: (report: UsageReport) => Effect.Effect<UsageAppendOutcome>
  /** The license's batches, every install's, by install then sequence. */
  readonly list: (tenantId: TenantId, licenseId: LicenseId) => Effect.Effect<ReadonlyArray<UsageReport>>
}

export class UsageReportRepo extends Context.Tag("core/UsageReportRepo")<UsageReportRepo, UsageReportRepoService>() {}
