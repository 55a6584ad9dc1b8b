import { Context, type Effect } from "effect"

/** Randomness and hashing; the core never reaches for them directly. */
export interface CryptoService {
  readonly uuid: Effect.Effect<string>
  /** `bytes` cryptographically random bytes, base64url-encoded. */
  readonly randomToken: (bytes: number) => Effect.Effect<string>
  /** Hex SHA-256 of a UTF-8 string. */
  readonly sha256Hex: (text: string) => string
  /** Hex SHA-256 of bytes (an archive). */
  readonly sha256HexOfBytes: (bytes: Uint8Array) => string
  /** HMAC-SHA256 of a UTF-8 message under a UTF-8 key, base64url-encoded (no padding). */
  readonly hmacSha256: (key: string, message: string) => string
  /** Equality whose running time does not depend on where the inputs differ. */
  readonly constantTimeEqual: (a: string, b: string) => boolean
}

export class Crypto extends Context.Tag("core/Crypto")<Crypto, CryptoService>() {}
