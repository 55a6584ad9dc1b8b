import { DateTime, Effect } from "effect"
import { FeatureCatalogRepo } from "../ports/FeatureCatalogRepo.js"
import { catalogEntryOf } from "./FeatureCatalog.js"
import { FeatureRegistry } from "./FeatureRegistry.js"

/** Tells the database which features this build registers (feature discovery); run at every boot. */
export const syncFeatureCatalog = Effect.gen(function*() {
  const registry = yield* FeatureRegistry
  const result = yield* (yield* FeatureCatalogRepo).sync(registry.features.map(catalogEntryOf), yield* DateTime.now)
  if (result.added.length > 0 || result.retired.length > 0) {
    yield* Effect.logInfo("feature catalog synced").pipe(
      Effect.annotateLogs({ added: result.added.join(","), retired: result.retired.join(",") })
    )
  }
  return result
})
