import { Effect, Layer, Option } from "effect"
import { Tenant, TenantRepo } from "../../core/index.js"
import { MemoryStore } from "./MemoryStore.js"
import { bumpTenant, writePolicy } from "./policyVersions.js"

export const TenantRepoMemory = Layer.effect(
  TenantRepo,
  Effect.map(MemoryStore, (store) => {
    const { tables } = store
    return TenantRepo.of({
      insert: (tenant) => Effect.sync(() => void tables.tenants.set(tenant.id, tenant)),
      findById: (id) => Effect.sync(() => Option.fromNullable(tables.tenants.get(id))),
      update: (id, changes) =>
        writePolicy(
          store,
          Effect.sync(() => {
            const current = tables.tenants.get(id)
            if (current === undefined) return [Option.none(), []] as const
            const updated = Tenant.make({ ...current, ...changes })
            tables.tenants.set(id, updated)
            return [Option.some(updated), bumpTenant(tables, id)] as const
          })
        ),
      list: ({ limit }) =>
        Effect.sync(() =>
          Array.from(tables.tenants.values())
            .sort((a, b) => a.createdAt.epochMillis - b.createdAt.epochMillis)
            .slice(0, limit)
        )
    })
  })
)
