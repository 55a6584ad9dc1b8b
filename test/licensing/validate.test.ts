import { describe, expect, it } from "@effect/vitest"
import { DateTime, Option } from "effect"
import {
  Activation,
  fingerprintKey,
  type InstallFingerprint,
  License,
  LicenseId,
  type LicenseStatus,
  type LicenseValidationCode,
  PlanKey,
  TenantId,
  validateLicense
} from "../../core/index.js"

const now = DateTime.unsafeMake(Date.UTC(2026, 5, 1))
const day = 24 * 3_600_000
const at = (offsetMillis: number) => DateTime.unsafeMake(DateTime.toEpochMillis(now) + offsetMillis)

const licenseId = LicenseId.make("5d0c7a4e-8a51-4b8e-9f3c-2a1b0c9d8e7f")
const appA = "100000000000000001"
const appB = "100000000000000002"

const license = (overrides: Partial<{
  status: LicenseStatus
  expiresAt: DateTime.Utc | null
  maxActivations: number
}> = {}) =>
  new License({
    id: licenseId,
    tenantId: TenantId.make("0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b"),
    planKey: PlanKey.make("pro"),
    flags: ["ai"],
    limits: { maxGuilds: 10 },
    maxActivations: 2,
    status: "active",
    expiresAt: at(30 * day),
    createdAt: at(-30 * day),
    ...overrides
  })

const fp = (installId: string, applicationId = appA): InstallFingerprint => ({ applicationId, installId })

const activation = (fingerprint: InstallFingerprint, id = licenseId) =>
  new Activation({ licenseId: id, fingerprint, version: "0.1.0", firstSeen: at(-day), lastSeen: at(-1000) })

const codeOf = (input: {
  license?: License | null
  activations?: ReadonlyArray<Activation>
  fingerprint?: InstallFingerprint
  now?: DateTime.Utc
}): LicenseValidationCode =>
  validateLicense({
    license: Option.fromNullable(input.license === undefined ? license() : input.license),
    activations: input.activations ?? [],
    fingerprint: input.fingerprint ?? fp("install-1"),
    now: input.now ?? now
  }).code

describe("validateLicense", () => {
  it("answers VALID for an active, unexpired license with room, telling whether the install is new", () => {
    const fresh = validateLicense({ license: Option.some(license()), activations: [], fingerprint: fp("i1"), now })
    expect(fresh).toMatchObject({ _tag: "LicenseValid", code: "VALID", activation: Option.none() })
    const existing = activation(fp("i1"))
    const again = validateLicense({
      license: Option.some(license()),
      activations: [existing],
      fingerprint: fp("i1"),
      now
    })
    expect(again).toMatchObject({ code: "VALID", activation: Option.some(existing) })
    expect(codeOf({ license: license({ expiresAt: null }) })).toBe("VALID")
  })

  it("answers each refusal with its code, a message and a remediation", () => {
    const refusal = validateLicense({ license: Option.none(), activations: [], fingerprint: fp("i"), now })
    expect(refusal._tag).toBe("LicenseRefused")
    if (refusal._tag === "LicenseRefused") {
      expect(refusal.code).toBe("NOT_FOUND")
      expect(refusal.message.length).toBeGreaterThan(0)
      expect(refusal.remediation.length).toBeGreaterThan(0)
    }
    expect(codeOf({ license: null })).toBe("NOT_FOUND")
    expect(codeOf({ license: license({ status: "revoked" }) })).toBe("REVOKED")
    expect(codeOf({ license: license({ status: "suspended" }) })).toBe("SUSPENDED")
    expect(codeOf({ license: license({ status: "expired", expiresAt: null }) })).toBe("EXPIRED")
  })

  it("is EXPIRED from expiresAt on (inclusive), not before", () => {
    expect(codeOf({ license: license({ expiresAt: at(1) }) })).toBe("VALID")
    expect(codeOf({ license: license({ expiresAt: now }) })).toBe("EXPIRED")
    expect(codeOf({ license: license({ expiresAt: at(-1) }) })).toBe("EXPIRED")
  })

  it("checks codes in order: revoked before suspended before expired before activations", () => {
    const past = at(-day)
    const full = [activation(fp("other-1")), activation(fp("other-2"))]
    const foreign = [activation(fp("x", appB))]
    expect(codeOf({ license: license({ status: "revoked", expiresAt: past }) })).toBe("REVOKED")
    expect(codeOf({ license: license({ status: "revoked" }), activations: full })).toBe("REVOKED")
    expect(codeOf({ license: license({ status: "suspended", expiresAt: past }) })).toBe("SUSPENDED")
    expect(codeOf({ license: license({ expiresAt: past }), activations: foreign })).toBe("EXPIRED")
    expect(codeOf({ license: license({ expiresAt: past }), activations: full })).toBe("EXPIRED")
    // A foreign application with no room left answers the mismatch, which comes first.
    expect(codeOf({ license: license({ maxActivations: 1 }), activations: foreign })).toBe("FINGERPRINT_MISMATCH")
  })

  it("answers FINGERPRINT_MISMATCH for another Discord application, whatever its install id", () => {
    const existing = [activation(fp("i1", appA))]
    expect(codeOf({ activations: existing, fingerprint: fp("i2", appB) })).toBe("FINGERPRINT_MISMATCH")
    expect(codeOf({ activations: existing, fingerprint: fp("i1", appB) })).toBe("FINGERPRINT_MISMATCH")
    expect(codeOf({ activations: existing, fingerprint: fp("i2", appA) })).toBe("VALID")
    expect(codeOf({ activations: [], fingerprint: fp("i1", appB) })).toBe("VALID")
  })

  it("answers TOO_MANY_ACTIVATIONS only for a new install; one already activated at the limit is VALID", () => {
    const full = [activation(fp("i1")), activation(fp("i2"))]
    expect(codeOf({ activations: full, fingerprint: fp("i3") })).toBe("TOO_MANY_ACTIVATIONS")
    expect(codeOf({ activations: full, fingerprint: fp("i1") })).toBe("VALID")
    expect(codeOf({ activations: full, fingerprint: fp("i2") })).toBe("VALID")
    expect(codeOf({ activations: full.slice(0, 1), fingerprint: fp("i3") })).toBe("VALID")
    expect(codeOf({ license: license({ maxActivations: 3 }), activations: full, fingerprint: fp("i3") }))
      .toBe("VALID")
  })

  it("ignores activations of other licenses", () => {
    const otherLicense = LicenseId.make("00000000-0000-4000-8000-000000000000")
    const others = [activation(fp("i1", appB), otherLicense), activation(fp("i2", appB), otherLicense)]
    expect(codeOf({ activations: others, fingerprint: fp("i3") })).toBe("VALID")
  })

  it("keys a fingerprint as applicationId:installId", () => {
    expect(fingerprintKey(fp("install-9"))).toBe(`${appA}:install-9`)
  })
})
