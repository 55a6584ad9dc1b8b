import { Effect, Layer } from "effect"
import { Readiness } from "../../core/index.js"
import { ApiKeyRepoMemory } from "./ApiKeyRepoMemory.js"
import { FeatureCatalogRepoMemory } from "./FeatureCatalogRepoMemory.js"
import { GuildRepoMemory } from "./GuildRepoMemory.js"
import { MemoryStore } from "./MemoryStore.js"
import { TenantRepoMemory } from "./TenantRepoMemory.js"

export { QuotaStoreMemory } from "./QuotaStoreMemory.js"
export { ApiKeyRepoMemory, FeatureCatalogRepoMemory, GuildRepoMemory, MemoryStore, TenantRepoMemory }

/** Every repository port, in memory, over one shared store. */
export const RepositoriesMemory = Layer.mergeAll(
  TenantRepoMemory,
  GuildRepoMemory,
  ApiKeyRepoMemory,
  FeatureCatalogRepoMemory
).pipe(
  Layer.provideMerge(MemoryStore.layer)
)

/** The memory store is always ready. */
export const ReadinessMemory = Layer.succeed(Readiness, Readiness.of({ check: Effect.void }))
