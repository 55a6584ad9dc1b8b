import { Effect, Layer, Option } from "effect"
import { TenantRepo } from "../../core/index.js"
import { MemoryStore } from "./MemoryStore.js"

export const TenantRepoMemory = Layer.effect(
  TenantRepo,
  Effect.map(MemoryStore, ({ tables }) =>
    TenantRepo.of({
      insert: (tenant) => Effect.sync(() => void tables.tenants.set(tenant.id, tenant)),
      findById: (id) => Effect.sync(() => Option.fromNullable(tables.tenants.get(id))),
      list: ({ limit }) =>
        Effect.sync(() =>
          Array.from(tables.tenants.values())
            .sort((a, b) => a.createdAt.epochMillis - b.createdAt.epochMillis)
            .slice(0, limit)
        )
    }))
)
