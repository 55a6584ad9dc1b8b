import { describe, expect, it } from "@effect/vitest"
import { DateTime, Duration, Either, Encoding, FastCheck, Option } from "effect"
import { Ed25519 } from "../../adapters/crypto/index.js"
import {
  Lease,
  leaseClockSkew,
  LeaseFileInvalid,
  LeaseRejected,
  type LeaseRejectionCode,
  LicenseId,
  PlanKey,
  type SignedLease,
  TenantId
} from "../../core/index.js"

const signer = Ed25519.unsafeSigner(Ed25519.generateKeyPair().privateKey)
const verifier = Ed25519.verifier
const minute = 60_000
const day = 24 * 60 * minute
const issuedAt = DateTime.unsafeMake(Date.UTC(2026, 5, 1, 12))
const at = (offsetMillis: number) => DateTime.unsafeMake(DateTime.toEpochMillis(issuedAt) + offsetMillis)

const lease = new Lease({
  licenseId: LicenseId.make("5d0c7a4e-8a51-4b8e-9f3c-2a1b0c9d8e7f"),
  tenantId: TenantId.make("0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b"),
  plan: PlanKey.make("pro"),
  flags: ["ai", "branding"],
  limits: { maxGuilds: 10, aiTokensPerDay: -1 },
  issuedAt,
  refreshInSec: 3600,
  notAfter: at(7 * day),
  nonce: "request-nonce-1",
  keyId: signer.keyId
})
const signed = Lease.sign(signer, lease)

const verify = (overrides: Partial<{
  signed: SignedLease
  publicKey: string
  expectedNonce: Option.Option<string>
  now: DateTime.Utc
  lastIssuedAt: Option.Option<DateTime.Utc>
}> = {}) =>
  Lease.verify({
    signed,
    publicKey: signer.publicKey,
    verifier,
    expectedNonce: Option.some("request-nonce-1"),
    now: at(minute),
    lastIssuedAt: Option.none(),
    ...overrides
  })

const codeOf = (result: Either.Either<Lease, LeaseRejected>): LeaseRejectionCode | "OK" =>
  Either.match(result, { onLeft: (rejected) => rejected.code, onRight: () => "OK" })

describe("Lease", () => {
  it("signs and verifies back to the same lease", () => {
    expect(signed.lease).toMatch(/^[A-Za-z0-9_-]+$/)
    const verified = Either.getOrThrow(verify())
    expect(verified).toStrictEqual(lease)
    expect(verified.limits).toStrictEqual({ maxGuilds: 10, aiTokensPerDay: -1 })
  })

  it("signs canonical JSON: the same lease with fields in another order signs the same bytes", () => {
    const reordered = new Lease({
      keyId: lease.keyId,
      nonce: lease.nonce,
      notAfter: lease.notAfter,
      refreshInSec: lease.refreshInSec,
      issuedAt: lease.issuedAt,
      limits: { aiTokensPerDay: -1, maxGuilds: 10 },
      flags: lease.flags,
      plan: lease.plan,
      tenantId: lease.tenantId,
      licenseId: lease.licenseId
    })
    expect(Lease.sign(signer, reordered)).toStrictEqual(signed)
    const json = Encoding.decodeBase64UrlString(signed.lease).pipe(Either.getOrThrow)
    const keys = Object.keys(JSON.parse(json) as object)
    expect(keys).toStrictEqual([...keys].sort())
  })

  it("refuses a tampered lease, a tampered signature and another server's key as TAMPERED", () => {
    const json = Encoding.decodeBase64UrlString(signed.lease).pipe(Either.getOrThrow)
    const upgraded = Encoding.encodeBase64Url(json.replace("\"maxGuilds\":10", "\"maxGuilds\":99999"))
    expect(upgraded).not.toBe(signed.lease)
    expect(codeOf(verify({ signed: { ...signed, lease: upgraded } }))).toBe("TAMPERED")
    const otherSignature = Lease.sign(signer, new Lease({ ...lease, nonce: "other" })).signature
    expect(codeOf(verify({ signed: { ...signed, signature: otherSignature } }))).toBe("TAMPERED")
    expect(codeOf(verify({ publicKey: Ed25519.generateKeyPair().publicKey }))).toBe("TAMPERED")
    const otherServer = Ed25519.unsafeSigner(Ed25519.generateKeyPair().privateKey)
    expect(codeOf(verify({ signed: Lease.sign(otherServer, lease) }))).toBe("TAMPERED")
  })

  it("refuses a properly signed payload that is not a lease as TAMPERED", () => {
    const segment = Encoding.encodeBase64Url(JSON.stringify({ licenseId: "x" }))
    const notALease = { lease: segment, signature: signer.sign(`guildhall-lease/1.${segment}`) }
    expect(codeOf(verify({ signed: notALease }))).toBe("TAMPERED")
    // A license key's signature over the same bytes does not pass for a lease's (different context).
    const asKey = { lease: segment, signature: signer.sign(`GH1.${segment}`) }
    expect(codeOf(verify({ signed: asKey }))).toBe("TAMPERED")
  })

  it("any single-character change to the signed lease is TAMPERED", () => {
    const replacement = FastCheck.oneof(
      FastCheck.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      FastCheck.constantFrom("=", "+", "/", ".", " ", "\n", "é", "\u0000")
    )
    FastCheck.assert(
      FastCheck.property(
        FastCheck.constantFrom("lease" as const, "signature" as const),
        FastCheck.nat(),
        replacement,
        (field, position, char) => {
          const original = signed[field]
          const index = position % original.length
          FastCheck.pre(original[index] !== char)
          const changed = { ...signed, [field]: original.slice(0, index) + char + original.slice(index + 1) }
          expect(codeOf(verify({ signed: changed }))).toBe("TAMPERED")
        }
      ),
      { numRuns: 1000 }
    )
    // Exhaustively at the ends, where base64url's spare bits let a careless decoder read two spellings as one.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for (const field of ["lease", "signature"] as const) {
      const original = signed[field]
      for (const index of [0, original.length - 2, original.length - 1]) {
        for (const char of alphabet) {
          if (original[index] === char) continue
          const changed = { ...signed, [field]: original.slice(0, index) + char + original.slice(index + 1) }
          expect(codeOf(verify({ signed: changed }))).toBe("TAMPERED")
        }
      }
    }
  })

  it("refuses a lease issued more than the clock skew ahead of now as NOT_YET_VALID", () => {
    const skew = Duration.toMillis(leaseClockSkew)
    expect(codeOf(verify({ now: at(-skew - 1000) }))).toBe("NOT_YET_VALID")
    expect(codeOf(verify({ now: at(-skew + 1000) }))).toBe("OK")
  })

  it("refuses a clock moved back before the last accepted lease's issue time as CLOCK_ROLLBACK", () => {
    const skew = Duration.toMillis(leaseClockSkew)
    const lastIssuedAt = Option.some(at(3 * day))
    expect(codeOf(verify({ now: at(2 * day), lastIssuedAt }))).toBe("CLOCK_ROLLBACK")
    expect(codeOf(verify({ now: at(3 * day - skew - 1000), lastIssuedAt }))).toBe("CLOCK_ROLLBACK")
    // Within the skew (the two clocks are not the same clock) or after it: not a rollback.
    expect(codeOf(verify({ now: at(3 * day - skew + 1000), lastIssuedAt }))).toBe("OK")
    expect(codeOf(verify({ now: at(4 * day), lastIssuedAt }))).toBe("OK")
    // The lease just accepted, re-verified by a clock a little behind the server's, is still good.
    expect(codeOf(verify({ now: at(-minute), lastIssuedAt: Option.some(issuedAt) }))).toBe("OK")
  })

  it("refuses a lease answering another request's nonce as REPLAYED; no expected nonce (a file) skips it", () => {
    expect(codeOf(verify({ expectedNonce: Option.some("request-nonce-2") }))).toBe("REPLAYED")
    expect(codeOf(verify({ expectedNonce: Option.none() }))).toBe("OK")
  })

  it("refuses a lease past notAfter as EXPIRED, and accepts it up to notAfter", () => {
    expect(codeOf(verify({ now: at(7 * day + 1000) }))).toBe("EXPIRED")
    expect(codeOf(verify({ now: at(7 * day) }))).toBe("OK")
  })

  it("checks in order: TAMPERED, NOT_YET_VALID, CLOCK_ROLLBACK, REPLAYED, EXPIRED", () => {
    const replayed = Option.some("someone-else")
    const wrongKey = Ed25519.generateKeyPair().publicKey
    const future = at(-day)
    const rolledBack = Option.some(at(30 * day))
    expect(codeOf(verify({ publicKey: wrongKey, now: future, lastIssuedAt: rolledBack, expectedNonce: replayed })))
      .toBe("TAMPERED")
    expect(codeOf(verify({ now: future, lastIssuedAt: rolledBack, expectedNonce: replayed }))).toBe("NOT_YET_VALID")
    // Past notAfter, replayed, and the clock behind the last lease: the rollback is named.
    expect(codeOf(verify({ now: at(8 * day), lastIssuedAt: rolledBack, expectedNonce: replayed })))
      .toBe("CLOCK_ROLLBACK")
    expect(codeOf(verify({ now: at(8 * day), expectedNonce: replayed }))).toBe("REPLAYED")
    expect(codeOf(verify({ now: at(8 * day) }))).toBe("EXPIRED")
  })

  it("never throws on garbage: anything as the signed lease or key is TAMPERED", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.oneof(
          FastCheck.anything(),
          FastCheck.record({ lease: FastCheck.string(), signature: FastCheck.string() }),
          FastCheck.record({ lease: FastCheck.base64String(), signature: FastCheck.constant(signed.signature) })
        ),
        FastCheck.oneof(FastCheck.constant(signer.publicKey), FastCheck.string()),
        (garbage, publicKey) => {
          const result = verify({ signed: garbage as SignedLease, publicKey })
          expect(Either.isLeft(result) && result.left instanceof LeaseRejected && result.left.code).toBe("TAMPERED")
        }
      ),
      { numRuns: 500 }
    )
  })

  it("round-trips an offline license file, and refuses a file that is not one", () => {
    const text = Lease.encodeFile(signed)
    expect(JSON.parse(text)).toStrictEqual({ format: "guildhall-lease/1", ...signed })
    const decoded = Either.getOrThrow(Lease.decodeFile(text))
    expect(decoded).toStrictEqual(signed)
    expect(codeOf(verify({ signed: decoded, expectedNonce: Option.none() }))).toBe("OK")
    for (const bad of ["", "{", "[]", JSON.stringify({ ...signed, format: "guildhall-lease/2" }), "{\"format\":1}"]) {
      const result = Lease.decodeFile(bad)
      expect(Either.isLeft(result) && result.left instanceof LeaseFileInvalid).toBe(true)
    }
    const missing = Lease.decodeFile(JSON.stringify({ format: "guildhall-lease/1", lease: signed.lease }))
    expect(Either.isLeft(missing) && missing.left.message).toContain("signature")
  })
})
