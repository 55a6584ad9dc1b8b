import { Context } from "effect"

/**
 * The operator's license signing key, held only by the hosted server (the
 * license server). License keys and leases are signed with it; self-host
 * installs verify them with `publicKey`, configured or built into the bundle.
 */
export interface LicenseSignerService {
  /** Names the key inside what it signs, so a rotated key can be told apart. */
  readonly keyId: string
  /** The raw 32-byte Ed25519 public key, base64url. */
  readonly publicKey: string
  /** An Ed25519 signature of the UTF-8 message, base64url. */
  readonly sign: (message: string) => string
}

export class LicenseSigner extends Context.Tag("core/LicenseSigner")<LicenseSigner, LicenseSignerService>() {}

/** Checks a signature against a public key; used by the license server and self-host installs alike. */
export interface SignatureVerifierService {
  /**
   * Whether `signature` (base64url) is `publicKey`'s (base64url, raw 32 bytes)
   * signature of the UTF-8 `message`. False, never a throw, for a malformed key
   * or signature: what is verified comes from outside.
   */
  readonly verify: (publicKey: string, message: string, signature: string) => boolean
}

export class SignatureVerifier extends Context.Tag("core/SignatureVerifier")<
  SignatureVerifier,
  SignatureVerifierService
>() {}

/** An Ed25519 key pair: the private key base64url PKCS#8 DER, the public key base64url raw 32 bytes. */
export interface SigningKeyPair {
  readonly privateKey: string
  readonly publicKey: string
}

/**
 * Key pairs an install makes for itself (its usage report key, ADR 082) and
 * signers over them: the install signs; the license server verifies with
 * the public half it was sent.
 */
export interface SigningKeysService {
  readonly generate: () => SigningKeyPair
  /** A signer over a private key this port generated; throws for anything else. */
  readonly signer: (privateKey: string) => LicenseSignerService
}

export class SigningKeys extends Context.Tag("core/SigningKeys")<SigningKeys, SigningKeysService>() {}
