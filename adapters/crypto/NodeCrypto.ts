import { Effect, Layer } from "effect"
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto"
import { Crypto } from "../../core/index.js"

export const NodeCrypto = Layer.succeed(
  Crypto,
  Crypto.of({
    uuid: Effect.sync(() => randomUUID()),
    randomToken: (bytes) => Effect.sync(() => randomBytes(bytes).toString("base64url")),
    sha256Hex: (text) => createHash("sha256").update(text, "utf8").digest("hex"),
    sha256HexOfBytes: (bytes) => createHash("sha256").update(bytes).digest("hex"),
    hmacSha256: (key, message) => createHmac("sha256", key).update(message, "utf8").digest("base64url"),
    constantTimeEqual: (a, b) => {
      // Hash both sides first so unequal lengths cost the same as equal ones.
      const left = createHash("sha256").update(a).digest()
      const right = createHash("sha256").update(b).digest()
      return timingSafeEqual(left, right) && a.length === b.length
    }
  })
)
