import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, FastCheck, Layer } from "effect"
import { createHash } from "node:crypto"
import {
  Ed25519,
  InvalidLicenseSigningKey,
  LicenseSignerEd25519,
  SignatureVerifierEd25519
} from "../../adapters/crypto/index.js"
import { LicenseSigner, SignatureVerifier } from "../../core/index.js"

const pair = Ed25519.generateKeyPair()

describe("Ed25519 adapter", () => {
  it("generates a PKCS#8 private key and a raw 32-byte public key, both base64url", () => {
    expect(pair.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(pair.publicKey, "base64url")).toHaveLength(32)
    expect(pair.privateKey).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(Ed25519.generateKeyPair().publicKey).not.toBe(pair.publicKey)
  })

  it.effect("the signer layer derives the public key and its key id from the private key", () =>
    Effect.gen(function*() {
      const signer = yield* LicenseSigner
      const verifier = yield* SignatureVerifier
      expect(signer.publicKey).toBe(pair.publicKey)
      expect(signer.keyId).toBe(createHash("sha256").update(pair.publicKey).digest("hex").slice(0, 16))
      const signature = signer.sign("hello")
      expect(verifier.verify(signer.publicKey, "hello", signature)).toBe(true)
      expect(verifier.verify(signer.publicKey, "hellO", signature)).toBe(false)
      expect(verifier.verify(Ed25519.generateKeyPair().publicKey, "hello", signature)).toBe(false)
    }).pipe(Effect.provide(Layer.merge(LicenseSignerEd25519.layer(pair.privateKey), SignatureVerifierEd25519))))

  it.effect("a private key that is not Ed25519 PKCS#8 fails the layer with InvalidLicenseSigningKey", () =>
    Effect.gen(function*() {
      for (const bad of ["", "not-a-key", pair.publicKey]) {
        const exit = yield* Effect.exit(
          Effect.provide(LicenseSigner, LicenseSignerEd25519.layer(bad))
        )
        expect(exit).toStrictEqual(Exit.fail(expect.any(InvalidLicenseSigningKey)))
        if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("Ed25519")
      }
    }))

  it("accepts only the canonical base64url spelling of a signature", () => {
    const signer = Ed25519.unsafeSigner(pair.privateKey)
    const signature = signer.sign("message")
    // 64 bytes in 86 characters leaves 4 spare bits in the last one: a different last character
    // can decode to the same bytes, and must still be refused.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for (const c of alphabet) {
      const variant = signature.slice(0, -1) + c
      expect(Ed25519.verifier.verify(pair.publicKey, "message", variant)).toBe(variant === signature)
    }
    expect(Ed25519.verifier.verify(pair.publicKey, "message", signature + "=")).toBe(false)
    expect(Ed25519.verifier.verify(pair.publicKey, "message", signature.slice(0, 40) + "!" + signature.slice(41)))
      .toBe(false)
  })

  it("verify answers false, never throws, for malformed keys and signatures", () => {
    const signature = Ed25519.unsafeSigner(pair.privateKey).sign("m")
    FastCheck.assert(
      FastCheck.property(FastCheck.anything(), FastCheck.anything(), (key, sig) => {
        expect(Ed25519.verifier.verify(key as string, "m", sig as string)).toBe(false)
        expect(Ed25519.verifier.verify(pair.publicKey, "m", sig as string)).toBe(false)
        expect(Ed25519.verifier.verify(key as string, "m", signature)).toBe(false)
      }),
      { numRuns: 300 }
    )
    // A well-formed 32-byte string that is not a valid curve point.
    expect(Ed25519.verifier.verify(Buffer.alloc(32, 0xff).toString("base64url"), "m", signature)).toBe(false)
  })
})
