import { Effect, Layer } from "effect"
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto"
import { Crypto } from "../../core/index.js"

/**
 * Whether two secrets are equal, in time that tells nothing about where they
 * differ: both sides are hashed first, so unequal lengths cost the same as equal ones.
 */
export const constantTimeEqual = (a: string | Uint8Array, b: string | Uint8Array): boolean => {
  const left = createHash("sha256").update(a).digest()
  const right = createHash("sha256").update(b).digest()
  return timingSafeEqual(left, right) && a.length === b.length
}

export const NodeCrypto = Layer.succeed(
  Crypto,
  Crypto.of({
    uuid: Effect.sync(() => randomUUID()),
    randomToken: (bytes) => Effect.sync(() => randomBytes(bytes).toString("base64url")),
    sha256Hex: (text) => createHash("sha256").update(text, "utf8").digest("hex"),
    sha256HexOfBytes: (bytes) => createHash("sha256").update(bytes).digest("hex"),
    hmacSha256: (key, message) => createHmac("sha256", key).update(message, "utf8").digest("base64url"),
    constantTimeEqual
  })
)
