import { DateTime, Effect, Layer, Option } from "effect"
import {
  Activation,
  fingerprintKey,
  License,
  type LicenseId,
  LicenseRepo,
  type TenantId,
  validateLicense
} from "../../core/index.js"

interface StoredKey {
  readonly licenseId: LicenseId
  validUntil: DateTime.Utc | null
}

/**
 * LicenseRepo in memory, with a store of its own. Every method runs
 * synchronously inside one Effect.sync, so an activation's check and write
 * cannot interleave with another's (the exactness the SQL adapter gets from
 * the license's row lock).
 */
export const LicenseRepoMemory = Layer.sync(LicenseRepo, () => {
  const licenses = new Map<LicenseId, License>()
  const keys = new Map<string, StoredKey>()
  const activations = new Map<LicenseId, Map<string, Activation>>()
  const activationsOf = (licenseId: LicenseId) => Array.from(activations.get(licenseId)?.values() ?? [])
  const ofTenant = (tenantId: TenantId, licenseId: LicenseId) =>
    Option.filter(Option.fromNullable(licenses.get(licenseId)), (license) => license.tenantId === tenantId)

  return LicenseRepo.of({
    create: (license, keyHash) =>
      Effect.sync(() => {
        licenses.set(license.id, license)
        keys.set(keyHash, { licenseId: license.id, validUntil: null })
      }),
    findByKeyHash: (keyHash, now) =>
      Effect.sync(() =>
        Option.fromNullable(keys.get(keyHash)).pipe(
          Option.filter((key) => key.validUntil === null || DateTime.lessThan(now, key.validUntil)),
          Option.flatMap((key) => Option.fromNullable(licenses.get(key.licenseId)))
        )
      ),
    find: (tenantId, licenseId) => Effect.sync(() => ofTenant(tenantId, licenseId)),
    list: (tenantId) =>
      Effect.sync(() =>
        Array.from(licenses.values()).filter((license) => license.tenantId === tenantId).sort((a, b) =>
          DateTime.toEpochMillis(a.createdAt) - DateTime.toEpochMillis(b.createdAt)
        )
      ),
    setStatus: (tenantId, licenseId, status) =>
      Effect.sync(() =>
        Option.map(ofTenant(tenantId, licenseId), (license) => {
          const updated = License.make({ ...license, status })
          licenses.set(licenseId, updated)
          return updated
        })
      ),
    replaceKey: (tenantId, licenseId, keyHash, _now, oldKeysUntil) =>
      Effect.sync(() => {
        if (Option.isNone(ofTenant(tenantId, licenseId))) return false
        for (const key of keys.values()) {
          if (key.licenseId !== licenseId) continue
          if (key.validUntil === null || DateTime.lessThan(oldKeysUntil, key.validUntil)) key.validUntil = oldKeysUntil
        }
        keys.set(keyHash, { licenseId, validUntil: null })
        return true
      }),
    activations: (tenantId, licenseId) =>
      Effect.sync(() => (Option.isSome(ofTenant(tenantId, licenseId)) ? activationsOf(licenseId) : [])),
    activate: (licenseId, fingerprint, version, now) =>
      Effect.sync(() => {
        const license = Option.fromNullable(licenses.get(licenseId))
        const validation = validateLicense({ license, activations: activationsOf(licenseId), fingerprint, now })
        if (validation._tag === "LicenseRefused") return { _tag: "Refused", refusal: validation } as const
        const held = activations.get(licenseId) ?? new Map<string, Activation>()
        activations.set(licenseId, held)
        const key = fingerprintKey(fingerprint)
        const activation = Activation.make({
          licenseId,
          fingerprint,
          version,
          firstSeen: held.get(key)?.firstSeen ?? now,
          lastSeen: now
        })
        held.set(key, activation)
        return { _tag: "Activated", license: validation.license, activation } as const
      }),
    deactivate: (licenseId, fingerprint) =>
      Effect.sync(() => activations.get(licenseId)?.delete(fingerprintKey(fingerprint)) ?? false)
  })
})
