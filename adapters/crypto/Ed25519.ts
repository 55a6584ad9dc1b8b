import { Data, Effect, Layer } from "effect"
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify
} from "node:crypto"
import {
  LicenseSigner,
  type LicenseSignerService,
  SignatureVerifier,
  type SignatureVerifierService,
  SigningKeys
} from "../../core/index.js"

/** An Ed25519 key pair as configuration carries it: both halves base64url. */
export interface Ed25519KeyPair {
  /** PKCS#8 DER, base64url: the license server's secret, kept in its configuration. */
  readonly privateKey: string
  /** The raw 32-byte public key, base64url: what self-host installs verify with. */
  readonly publicKey: string
}

/** The configured private key is not a base64url PKCS#8 Ed25519 key. */
export class InvalidLicenseSigningKey extends Data.TaggedError("InvalidLicenseSigningKey")<{
  readonly message: string
}> {}

const rawPublicKey = (key: KeyObject): string => {
  const jwk = key.export({ format: "jwk" })
  return jwk.x as string
}

/**
 * Node's base64url decoder skips characters it does not know and ignores the
 * spare low bits of the last character, so several strings decode to the same
 * bytes. Only the one canonical spelling is accepted: a changed character is
 * then always a different key or signature, never an equal one.
 */
const decodeExact = (text: string, length: number): Buffer | undefined => {
  const bytes = Buffer.from(text, "base64url")
  return bytes.length === length && bytes.toString("base64url") === text ? bytes : undefined
}

const importPublicKey = (publicKey: string): KeyObject | undefined => {
  if (decodeExact(publicKey, 32) === undefined) return undefined
  try {
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey }, format: "jwk" })
  } catch {
    return undefined
  }
}

const importPrivateKey = (privateKey: string): KeyObject => {
  const key = createPrivateKey({ key: Buffer.from(privateKey, "base64url"), format: "der", type: "pkcs8" })
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`expected an Ed25519 key, got ${key.asymmetricKeyType}`)
  return key
}

// Public keys are few (the operator's, perhaps a rotated one) and verified often: keep the parsed ones.
const publicKeys = new Map<string, KeyObject | undefined>()
const publicKeyCacheSize = 16

const cachedPublicKey = (publicKey: string): KeyObject | undefined => {
  if (publicKeys.has(publicKey)) return publicKeys.get(publicKey)
  const key = importPublicKey(publicKey)
  if (publicKeys.size >= publicKeyCacheSize) publicKeys.delete(publicKeys.keys().next().value as string)
  publicKeys.set(publicKey, key)
  return key
}

export const Ed25519 = {
  /** A fresh key pair for the license server. */
  generateKeyPair: (): Ed25519KeyPair => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519")
    return {
      privateKey: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64url"),
      publicKey: rawPublicKey(publicKey)
    }
  },
  /** The key id signed into keys and leases: the first 16 hex characters of SHA-256 of the public key. */
  keyIdOf: (publicKey: string): string => createHash("sha256").update(publicKey, "utf8").digest("hex").slice(0, 16),
  /** A signer for a base64url PKCS#8 private key; throws when it is not an Ed25519 key. */
  unsafeSigner: (privateKey: string): LicenseSignerService => {
    const key = importPrivateKey(privateKey)
    const publicKey = rawPublicKey(createPublicKey(key))
    return {
      keyId: Ed25519.keyIdOf(publicKey),
      publicKey,
      sign: (message) => sign(null, Buffer.from(message, "utf8"), key).toString("base64url")
    }
  },
  verifier: {
    verify: (publicKey, message, signature) => {
      // Anything from outside may arrive here: every failure is a plain `false`.
      if (typeof publicKey !== "string" || typeof message !== "string" || typeof signature !== "string") return false
      const key = cachedPublicKey(publicKey)
      const bytes = decodeExact(signature, 64)
      if (key === undefined || bytes === undefined) return false
      try {
        return verify(null, Buffer.from(message, "utf8"), key, bytes)
      } catch {
        return false
      }
    }
  } satisfies SignatureVerifierService
}

export const LicenseSignerEd25519 = {
  /** The license server's signer, from its base64url PKCS#8 private key; the public key is derived from it. */
  layer: (privateKey: string): Layer.Layer<LicenseSigner, InvalidLicenseSigningKey> =>
    Layer.effect(
      LicenseSigner,
      Effect.try({
        try: () => Ed25519.unsafeSigner(privateKey),
        catch: (cause) =>
          new InvalidLicenseSigningKey({
            message: `The license signing key is not a base64url PKCS#8 Ed25519 private key (${
              cause instanceof Error ? cause.message : String(cause)
            }); generate one with Ed25519.generateKeyPair()`
          })
      })
    )
}

export const SignatureVerifierEd25519: Layer.Layer<SignatureVerifier> = Layer.succeed(
  SignatureVerifier,
  Ed25519.verifier
)

/** Key pairs an install makes for itself (its usage report key) and signers over them. */
export const SigningKeysEd25519: Layer.Layer<SigningKeys> = Layer.succeed(
  SigningKeys,
  SigningKeys.of({ generate: Ed25519.generateKeyPair, signer: Ed25519.unsafeSigner })
)
