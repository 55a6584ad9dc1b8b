import { Schema } from "effect"
import { ApiKeyId, TenantId } from "../ids.js"

/** Every key reads `gh_live_<43 base64url characters>` (32 random bytes). */
export const keyScheme = "gh_live_"
export const keyRandomBytes = 32
const visibleRandomChars = 8
const keyPattern = /^gh_live_[A-Za-z0-9_-]{43}$/

export const ApiKeyName = Schema.Trim.pipe(
  Schema.minLength(1, { message: () => "A key name must not be empty" }),
  Schema.maxLength(100, { message: () => "A key name must be at most 100 characters" })
)

/** What is stored of a key: never the key itself, only its visible prefix and a hash. */
export class ApiKeyRecord extends Schema.Class<ApiKeyRecord>("ApiKeyRecord")({
  id: ApiKeyId,
  /** null for an operator key, which can act on every tenant. */
  tenantId: Schema.NullOr(TenantId),
  name: ApiKeyName,
  /** The first characters of the key, safe to show so a person can tell keys apart. */
  prefix: Schema.String,
  secretHash: Schema.String,
  createdAt: Schema.DateTimeUtc,
  revokedAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

export const formatKey = (random: string): string => `${keyScheme}${random}`

export const isWellFormedKey = (key: string): boolean => keyPattern.test(key)

/** The visible part of a key: its scheme and the first random characters. */
export const prefixOf = (key: string): string => key.slice(0, keyScheme.length + visibleRandomChars)

export class InvalidApiKey extends Schema.TaggedError<InvalidApiKey>()("InvalidApiKey", {
  message: Schema.String
}) {
  static readonly instance = new InvalidApiKey({
    message: "Missing, malformed, unknown or revoked API key; send 'Authorization: Bearer gh_live_...'"
  })
}

export class ApiKeyNotFound extends Schema.TaggedError<ApiKeyNotFound>()("ApiKeyNotFound", {
  keyId: Schema.String,
  message: Schema.String
}) {
  static of(keyId: string) {
    return new ApiKeyNotFound({ keyId, message: `No API key with id ${keyId}` })
  }
}
