import { describe, expect, it } from "@effect/vitest"
import { DateTime, Either, Encoding, FastCheck } from "effect"
import { createHash } from "node:crypto"
import { Ed25519 } from "../../adapters/crypto/index.js"
import { KeyInvalid, type KeyInvalidReason, LicenseId, LicenseKey } from "../../core/index.js"

const signer = Ed25519.unsafeSigner(Ed25519.generateKeyPair().privateKey)
const verifier = Ed25519.verifier
const licenseId = LicenseId.make("5d0c7a4e-8a51-4b8e-9f3c-2a1b0c9d8e7f")
const now = DateTime.unsafeMake(Date.UTC(2026, 5, 1, 12, 0, 0, 500))
const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

const reasonOf = (key: string, publicKey = signer.publicKey): KeyInvalidReason | "ok" =>
  Either.match(LicenseKey.parse(key, verifier, publicKey), { onLeft: (e) => e.reason, onRight: () => "ok" })

/** A key whose payload is `payload`, signed properly: what a bug in the issuer could produce. */
const signedWithPayload = (payload: string) => {
  const signed = `GH1.${Encoding.encodeBase64Url(payload)}`
  return `${signed}.${signer.sign(signed)}`
}

describe("LicenseKey", () => {
  it("issues GH1 keys that parse back to their license, key id and issue time (whole seconds)", () => {
    const key = LicenseKey.issue(signer, licenseId, now, "nonce-1")
    expect(key).toMatch(/^GH1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/)
    const claim = LicenseKey.parse(key, verifier, signer.publicKey)
    expect(Either.getOrThrow(claim)).toStrictEqual({
      licenseId,
      keyId: signer.keyId,
      issuedAt: DateTime.unsafeMake(Date.UTC(2026, 5, 1, 12, 0, 0))
    })
    // Whitespace around a pasted key does not matter, to parsing or to the stored hash.
    expect(Either.isRight(LicenseKey.parse(`  ${key}\n`, verifier, signer.publicKey))).toBe(true)
    expect(LicenseKey.lookupHash(` ${key}\n`, sha256Hex)).toBe(LicenseKey.lookupHash(key, sha256Hex))
  })

  it("a regenerated key (new nonce) differs, and has a different lookup hash", () => {
    const first = LicenseKey.issue(signer, licenseId, now, "nonce-1")
    const second = LicenseKey.issue(signer, licenseId, now, "nonce-2")
    expect(second).not.toBe(first)
    expect(LicenseKey.lookupHash(second, sha256Hex)).not.toBe(LicenseKey.lookupHash(first, sha256Hex))
    expect(reasonOf(second)).toBe("ok")
  })

  it("the lookup hash is the Crypto port's SHA-256 of the key and does not contain the key", () => {
    const key = LicenseKey.issue(signer, licenseId, now, "n")
    const hash = LicenseKey.lookupHash(key, sha256Hex)
    expect(hash).toBe(sha256Hex(key))
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(hash).not.toContain(key.split(".")[2])
  })

  it("a tampered payload is a bad signature", () => {
    const key = LicenseKey.issue(signer, licenseId, now, "n")
    const [prefix, payload, signature] = key.split(".") as [string, string, string]
    const otherLicense = LicenseId.make("00000000-0000-4000-8000-000000000000")
    const forgedPayload = Encoding.encodeBase64Url(
      Encoding.decodeBase64UrlString(payload).pipe(Either.getOrThrow).replace(licenseId, otherLicense)
    )
    expect(forgedPayload).not.toBe(payload)
    expect(reasonOf(`${prefix}.${forgedPayload}.${signature}`)).toBe("bad_signature")
    const flipped = payload.slice(0, 5) + (payload[5] === "A" ? "B" : "A") + payload.slice(6)
    expect(reasonOf(`${prefix}.${flipped}.${signature}`)).toBe("bad_signature")
  })

  it("a tampered signature, or another server's key, is a bad signature", () => {
    const key = LicenseKey.issue(signer, licenseId, now, "n")
    const tampered = key.slice(0, -10) + (key.at(-10) === "A" ? "B" : "A") + key.slice(-9)
    expect(reasonOf(tampered)).toBe("bad_signature")
    expect(reasonOf(key, Ed25519.generateKeyPair().publicKey)).toBe("bad_signature")
    const otherSigner = Ed25519.unsafeSigner(Ed25519.generateKeyPair().privateKey)
    expect(reasonOf(LicenseKey.issue(otherSigner, licenseId, now, "n"))).toBe("bad_signature")
  })

  it("a wrong prefix or shape is malformed", () => {
    const key = LicenseKey.issue(signer, licenseId, now, "n")
    const [, payload, signature] = key.split(".") as [string, string, string]
    expect(reasonOf(`GH2.${payload}.${signature}`)).toBe("malformed")
    expect(reasonOf(`gh1.${payload}.${signature}`)).toBe("malformed")
    expect(reasonOf(`GH1.${payload}`)).toBe("malformed")
    expect(reasonOf(`GH1.${payload}.${signature}.extra`)).toBe("malformed")
    expect(reasonOf(`GH1..${signature}`)).toBe("malformed")
    expect(reasonOf(`GH1.${payload}+.${signature}`)).toBe("malformed")
    expect(reasonOf("")).toBe("malformed")
  })

  it("a properly signed payload that is not a key's is undecodable", () => {
    expect(reasonOf(signedWithPayload("not json"))).toBe("undecodable")
    expect(reasonOf(signedWithPayload(JSON.stringify({ v: 2, lid: licenseId, kid: "k", iat: 1, n: "n" }))))
      .toBe("undecodable")
    expect(reasonOf(signedWithPayload(JSON.stringify({ v: 1, lid: "not-a-uuid", kid: "k", iat: 1, n: "n" }))))
      .toBe("undecodable")
    expect(reasonOf(signedWithPayload(JSON.stringify({ v: 1, lid: licenseId, kid: "k", iat: 1, n: "n" })))).toBe("ok")
  })

  it("parse never throws: any input is a typed KeyInvalid", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.oneof(FastCheck.string(), FastCheck.anything()), (input) => {
        const result = LicenseKey.parse(input as string, verifier, signer.publicKey)
        expect(Either.isLeft(result) && result.left instanceof KeyInvalid).toBe(true)
      }),
      { numRuns: 500 }
    )
  })
})
