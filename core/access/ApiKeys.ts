import { Context, DateTime, Effect, Layer, Option, Redacted } from "effect"
import type { ApiKeyId, TenantId } from "../ids.js"
import { ApiKeyId as ApiKeyIdSchema } from "../ids.js"
import { ApiKeyRepo } from "../ports/ApiKeyRepo.js"
import { Crypto } from "../ports/Crypto.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { TenantNotFound } from "../tenancy/errors.js"
import {
  ApiKeyNotFound,
  ApiKeyRecord,
  formatKey,
  InvalidApiKey,
  isWellFormedKey,
  keyRandomBytes,
  prefixOf
} from "./ApiKey.js"
import { canActOn, isOperatorPrincipal, Principal } from "./Principal.js"

export interface IssuedApiKey {
  readonly record: ApiKeyRecord
  /** The key itself: shown once, never stored. */
  readonly key: Redacted.Redacted<string>
}

/** Who a new key is for: the operator, or one tenant. */
export type KeyOwner = { readonly _tag: "Operator" } | { readonly _tag: "Tenant"; readonly tenantId: TenantId }

const make = Effect.gen(function*() {
  const keys = yield* ApiKeyRepo
  const tenants = yield* TenantRepo
  const crypto = yield* Crypto

  const issue = (owner: KeyOwner, name: string) =>
    Effect.gen(function*() {
      if (owner._tag === "Tenant") {
        const tenant = yield* tenants.findById(owner.tenantId)
        if (Option.isNone(tenant)) return yield* TenantNotFound.of(owner.tenantId)
      }
      const key = formatKey(yield* crypto.randomToken(keyRandomBytes))
      const record = ApiKeyRecord.make({
        id: ApiKeyIdSchema.make(yield* crypto.uuid),
        tenantId: owner._tag === "Tenant" ? owner.tenantId : null,
        name,
        prefix: prefixOf(key),
        secretHash: crypto.sha256Hex(key),
        createdAt: yield* DateTime.now,
        revokedAt: null
      })
      yield* keys.insert(record)
      return { record, key: Redacted.make(key) } satisfies IssuedApiKey
    })

  /** Finds the key by its visible prefix, then compares hashes in constant time. */
  const authenticate = (presented: Redacted.Redacted<string>) =>
    Effect.gen(function*() {
      const key = Redacted.value(presented)
      if (!isWellFormedKey(key)) return yield* InvalidApiKey.instance
      const hash = crypto.sha256Hex(key)
      const candidates = yield* keys.findActiveByPrefix(prefixOf(key))
      const match = candidates.find((record) => crypto.constantTimeEqual(hash, record.secretHash))
      if (!match) return yield* InvalidApiKey.instance
      return match.tenantId === null
        ? Principal.Operator({ keyId: match.id })
        : Principal.TenantKey({ keyId: match.id, tenantId: match.tenantId })
    })

  /** A tenant revokes its own keys; the operator any key. Anything else is not found. */
  const revoke = (principal: Principal, keyId: ApiKeyId) =>
    Effect.gen(function*() {
      // People revoke keys through their tenant's routes; here a key revokes its own tenant's, the operator any.
      if (principal._tag === "User" && !isOperatorPrincipal(principal)) return yield* ApiKeyNotFound.of(keyId)
      const scope = principal._tag === "TenantKey" ? Option.some(principal.tenantId) : Option.none()
      const revoked = yield* keys.revoke(keyId, yield* DateTime.now, scope)
      return yield* Option.match(revoked, {
        onNone: () => Effect.fail(ApiKeyNotFound.of(keyId)),
        onSome: (record) =>
          isOperatorPrincipal(principal) || (record.tenantId !== null && canActOn(principal, record.tenantId))
            ? Effect.succeed(record)
            : Effect.fail(ApiKeyNotFound.of(keyId))
      })
    })

  return { issue, authenticate, revoke } as const
})

/** API keys: issued to the operator or a tenant, presented on every request, revoked by whoever may act on them. */
export interface ApiKeysService {
  /** A new key for `owner`, shown once (only its hash is kept). */
  readonly issue: (owner: KeyOwner, name: string) => Effect.Effect<IssuedApiKey, TenantNotFound>
  /** Who a presented key acts as; any key that is malformed, unknown or revoked is InvalidApiKey. */
  readonly authenticate: (presented: Redacted.Redacted<string>) => Effect.Effect<Principal, InvalidApiKey>
  /** Revokes a key `principal` may act on (another tenant's key answers ApiKeyNotFound). */
  readonly revoke: (principal: Principal, keyId: ApiKeyId) => Effect.Effect<ApiKeyRecord, ApiKeyNotFound>
}

export class ApiKeys extends Context.Tag("core/ApiKeys")<ApiKeys, ApiKeysService>() {
  static readonly layer = Layer.effect(ApiKeys, make)
}
