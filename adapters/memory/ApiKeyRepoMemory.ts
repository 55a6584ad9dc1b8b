import { Effect, Layer, Option } from "effect"
import { ApiKeyRecord, ApiKeyRepo } from "../../core/index.js"
import { MemoryStore } from "./MemoryStore.js"

export const ApiKeyRepoMemory = Layer.effect(
  ApiKeyRepo,
  Effect.map(MemoryStore, ({ atomically, tables }) =>
    ApiKeyRepo.of({
      insert: (record) => Effect.sync(() => void tables.apiKeys.set(record.id, record)),
      findActiveByPrefix: (prefix) =>
        Effect.sync(() =>
          Array.from(tables.apiKeys.values()).filter((key) => key.prefix === prefix && key.revokedAt === null)
        ),
      hasActiveOperatorKey: Effect.sync(() =>
        Array.from(tables.apiKeys.values()).some((key) => key.tenantId === null && key.revokedAt === null)
      ),
      revoke: (id, at, tenantId) =>
        atomically(Effect.sync(() => {
          const record = tables.apiKeys.get(id)
          if (!record) return Option.none()
          if (Option.isSome(tenantId) && record.tenantId !== tenantId.value) return Option.none()
          if (record.revokedAt !== null) return Option.some(record)
          const revoked = ApiKeyRecord.make({ ...record, revokedAt: at })
          tables.apiKeys.set(id, revoked)
          return Option.some(revoked)
        }))
    }))
)
