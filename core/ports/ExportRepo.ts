import { Context, type DateTime, type Effect, type Option } from "effect"
import type { Export, ExportId } from "../hosting/Export.js"
import type { TenantId } from "../ids.js"

/** Exports and their archives (bytes kept with the record until it expires). */
export interface ExportRepoService {
  readonly insert: (exported: Export) => Effect.Effect<void>
  readonly find: (tenantId: TenantId, id: ExportId) => Effect.Effect<Option.Option<Export>>
  /** Any tenant's export by id: the job that builds it knows only the id. */
  readonly findAnyTenant: (id: ExportId) => Effect.Effect<Option.Option<Export>>
  readonly list: (tenantId: TenantId, options: { readonly limit: number }) => Effect.Effect<ReadonlyArray<Export>>
  /** Marks it ready (or failed) with its archive; only a pending export changes. */
  readonly finish: (exported: Export, archive: Uint8Array | null) => Effect.Effect<void>
  readonly archive: (tenantId: TenantId, id: ExportId) => Effect.Effect<Option.Option<Uint8Array>>
  /** Deletes the archives (and records) of exports that expired before `now`; how many. */
  readonly purgeExpired: (now: DateTime.Utc) => Effect.Effect<number>
}

export class ExportRepo extends Context.Tag("core/ExportRepo")<ExportRepo, ExportRepoService>() {}
