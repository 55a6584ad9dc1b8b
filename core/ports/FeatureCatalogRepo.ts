import { Context, type DateTime, type Effect } from "effect"
import type { FeatureCatalogEntry, FeatureCatalogRecord } from "../features/FeatureCatalog.js"

/** What a sync changed: features seen for the first time (or again after retirement), and features retired. */
export interface CatalogSyncResult {
  readonly added: ReadonlyArray<string>
  readonly retired: ReadonlyArray<string>
}

/** The platform's list of features, synced from the registry at boot (feature discovery for operators). */
export interface FeatureCatalogRepoService {
  /**
   * Upserts every entry as registered (clearing a retirement) and marks
   * every registered feature missing from `entries` retired at `now`.
   */
  readonly sync: (entries: ReadonlyArray<FeatureCatalogEntry>, now: DateTime.Utc) => Effect.Effect<CatalogSyncResult>
  /** Every feature ever synced, retired ones included, by key. */
  readonly list: Effect.Effect<ReadonlyArray<FeatureCatalogRecord>>
}

export class FeatureCatalogRepo extends Context.Tag("core/FeatureCatalogRepo")<
  FeatureCatalogRepo,
  FeatureCatalogRepoService
>() {}
