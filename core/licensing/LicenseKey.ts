import { DateTime, Either, Encoding, Schema } from "effect"
import { canonicalJson } from "../bot/DiscordCommandJson.js"
import type { LicenseSignerService, SignatureVerifierService } from "../ports/LicenseSigning.js"
import { LicenseId } from "./License.js"

/**
 * A license key: what a self-hoster puts in GUILDHALL_LICENSE.
 * `GH1.<base64url(JSON payload)>.<base64url(Ed25519 signature of "GH1.<payload>")>`,
 * payload `{ v: 1, lid: license id, kid: signer key id, iat: issued at (epoch seconds), n: nonce }`.
 * The signature makes a key unforgeable without a database; the nonce makes a
 * regenerated key differ from the old one, so each can be revoked on its own.
 */
const prefix = "GH1"

export const KeyInvalidReason = Schema.Literal("malformed", "undecodable", "bad_signature")
export type KeyInvalidReason = typeof KeyInvalidReason.Type

const explanations: Record<KeyInvalidReason, string> = {
  malformed: "The license key is not a Guildhall key (expected GH1.<payload>.<signature>)",
  undecodable: "The license key's payload cannot be read",
  bad_signature:
    "The license key's signature does not match (the key was altered, or was issued by another license server)"
}

export class KeyInvalid extends Schema.TaggedError<KeyInvalid>()("KeyInvalid", {
  reason: KeyInvalidReason,
  message: Schema.String,
  remediation: Schema.String
}) {
  static of(reason: KeyInvalidReason) {
    return new KeyInvalid({
      reason,
      message: explanations[reason],
      remediation: "Copy the whole key again from the license page (GUILDHALL_LICENSE), " +
        "and check LICENSE_SERVER_BASE points at the server that issued it"
    })
  }
}

/** What a key whose signature checks out says. */
export interface LicenseKeyClaim {
  readonly licenseId: LicenseId
  readonly keyId: string
  readonly issuedAt: DateTime.Utc
}

const Payload = Schema.parseJson(Schema.Struct({
  v: Schema.Literal(1),
  lid: LicenseId,
  kid: Schema.String,
  iat: Schema.Int,
  n: Schema.String
}))
const decodePayload = Schema.decodeUnknownEither(Payload)

const base64url = /^[A-Za-z0-9_-]+$/

export const LicenseKey = {
  /** A new key for `licenseId`; `nonce` (random, from the Crypto port) keeps regenerated keys distinct. */
  issue: (signer: LicenseSignerService, licenseId: LicenseId, now: DateTime.Utc, nonce: string): string => {
    const payload = canonicalJson({
      v: 1,
      lid: licenseId,
      kid: signer.keyId,
      iat: Math.floor(DateTime.toEpochMillis(now) / 1000),
      n: nonce
    })
    const signed = `${prefix}.${Encoding.encodeBase64Url(payload)}`
    return `${signed}.${signer.sign(signed)}`
  },

  /** The key's license, if `publicKey` signed it. The signature is checked before the payload is read. */
  parse: (
    key: string,
    verifier: SignatureVerifierService,
    publicKey: string
  ): Either.Either<LicenseKeyClaim, KeyInvalid> => {
    const parts = typeof key === "string" ? key.trim().split(".") : []
    if (parts.length !== 3 || parts[0] !== prefix || !base64url.test(parts[1]!) || !base64url.test(parts[2]!)) {
      return Either.left(KeyInvalid.of("malformed"))
    }
    const [, segment, signature] = parts as [string, string, string]
    if (!verifier.verify(publicKey, `${prefix}.${segment}`, signature)) {
      return Either.left(KeyInvalid.of("bad_signature"))
    }
    const payload = Either.flatMap(Encoding.decodeBase64UrlString(segment), decodePayload)
    if (Either.isLeft(payload)) return Either.left(KeyInvalid.of("undecodable"))
    return Either.right({
      licenseId: payload.right.lid,
      keyId: payload.right.kid,
      issuedAt: DateTime.unsafeMake(payload.right.iat * 1000)
    })
  },

  /**
   * What the license server stores to find a key's license: SHA-256 of the key
   * (pass the Crypto port's `sha256Hex`). The raw key is never stored, so a
   * leaked table holds no usable keys.
   */
  lookupHash: (key: string, sha256Hex: (text: string) => string): string => sha256Hex(key.trim())
}
