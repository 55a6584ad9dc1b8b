import { Effect, Layer } from "effect"
import { FeatureCatalogRecord, FeatureCatalogRepo } from "../../core/index.js"

/** The feature catalog in memory. Platform data, so it keeps its own state rather than the tenant tables. */
export const FeatureCatalogRepoMemory = Layer.sync(FeatureCatalogRepo, () => {
  const records = new Map<string, FeatureCatalogRecord>()
  return FeatureCatalogRepo.of({
    // Synchronous from start to end, so no other fiber sees a half-done sync.
    sync: (entries, now) =>
      Effect.sync(() => {
        const registered = new Set(entries.map((entry) => entry.key))
        const added = entries
          .filter((entry) => {
            const existing = records.get(entry.key)
            return existing === undefined || existing.retiredAt !== null
          })
          .map((entry) => entry.key)
        const retired = Array.from(records.values())
          .filter((record) => record.retiredAt === null && !registered.has(record.key))
          .map((record) => record.key)
        for (const entry of entries) {
          records.set(entry.key, FeatureCatalogRecord.make({ ...entry, syncedAt: now, retiredAt: null }))
        }
        for (const key of retired) {
          records.set(key, FeatureCatalogRecord.make({ ...records.get(key)!, retiredAt: now }))
        }
        return { added: added.sort(), retired: retired.sort() }
      }),
    list: Effect.sync(() => Array.from(records.values()).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)))
  })
})
