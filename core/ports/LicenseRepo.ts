import { Context, type DateTime, type Effect, type Option } from "effect"
import type { TenantId } from "../ids.js"
import type { Activation, InstallFingerprint, License, LicenseId, LicenseStatus } from "../licensing/License.js"
import type { LicenseRefused } from "../licensing/validate.js"

/** What an activation attempt did: the install holds the license (new or again), or why not. */
export type ActivationOutcome =
  | { readonly _tag: "Activated"; readonly license: License; readonly activation: Activation }
  | { readonly _tag: "Refused"; readonly refusal: LicenseRefused }

/**
 * Licenses, their keys (stored only as lookup hashes) and activations. The
 * license server finds a license by its key's hash without knowing the
 * tenant (platform context); everything else runs in the tenant's.
 */
export interface LicenseRepoService {
  readonly create: (license: License, keyHash: string, now: DateTime.Utc) => Effect.Effect<void>
  /** The license a key's hash names, while that key is valid at `now` (a regenerated key's overlap ends). */
  readonly findByKeyHash: (keyHash: string, now: DateTime.Utc) => Effect.Effect<Option.Option<License>>
  readonly find: (tenantId: TenantId, licenseId: LicenseId) => Effect.Effect<Option.Option<License>>
  readonly list: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<License>>
  readonly setStatus: (
    tenantId: TenantId,
    licenseId: LicenseId,
    status: LicenseStatus
  ) => Effect.Effect<Option.Option<License>>
  /** A new key for the license; the keys it had stay valid until `oldKeysUntil` (now: at once). */
  readonly replaceKey: (
    tenantId: TenantId,
    licenseId: LicenseId,
    keyHash: string,
    now: DateTime.Utc,
    oldKeysUntil: DateTime.Utc
  ) => Effect.Effect<boolean>
  readonly activations: (tenantId: TenantId, licenseId: LicenseId) => Effect.Effect<ReadonlyArray<Activation>>
  /**
   * Validates and records an activation as one step under the license's lock
   * (`validateLicense` on the license and its activations as they are), so
   * concurrent installs never take more than `maxActivations` slots. An
   * install that already holds the license is seen again (lastSeen, version).
   */
  readonly activate: (
    licenseId: LicenseId,
    fingerprint: InstallFingerprint,
    version: string,
    now: DateTime.Utc
  ) => Effect.Effect<ActivationOutcome>
  /** Frees the install's slot; false when it held none. */
  readonly deactivate: (licenseId: LicenseId, fingerprint: InstallFingerprint) => Effect.Effect<boolean>
}

export class LicenseRepo extends Context.Tag("core/LicenseRepo")<LicenseRepo, LicenseRepoService>() {}
