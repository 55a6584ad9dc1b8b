import { Context, type Effect, Schema } from "effect"
import type { TenantId } from "../ids.js"

/** One row as JSON: column name → value, exactly as the database renders it (timestamps ISO in UTC). */
export type JsonRow = Readonly<Record<string, unknown>>

/** A table's rows of one tenant. */
export interface TableRows {
  readonly table: string
  readonly rows: ReadonlyArray<JsonRow>
}

/** How many rows of a tenant one table holds (or held, for a purge). */
export interface TableCount {
  readonly table: string
  readonly rows: number
}

/** The store cannot do this (the memory store keeps no tables to dump). */
export class TenantDataUnavailable extends Schema.TaggedError<TenantDataUnavailable>()("TenantDataUnavailable", {
  message: Schema.String
}) {}

/** A restore would collide with another tenant's rows (a guild installed under another tenant here). */
export class ImportConflict extends Schema.TaggedError<ImportConflict>()("ImportConflict", {
  message: Schema.String
}) {}

/**
 * Every row a tenant owns, table by table: what exports dump, imports
 * restore, offboarding purges and anonymizes. Tables are either archived
 * (the tenant's data, moved with it) or instance-local (this install's own
 * bookkeeping about the tenant: jobs, command syncs, policy versions,
 * licenses it issued, exports, offboarding, audit), which a restore leaves
 * or rebuilds and a purge deletes too.
 */
export interface TenantDataService {
  /** The archived tables' rows, parents before children, rows in a stable order. */
  readonly dump: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<TableRows>, TenantDataUnavailable>
  /**
   * In one transaction: the tenant's archived rows replaced by `tables`
   * (restoring the same rows twice leaves the same rows), the rows this
   * install derives from them rebuilt (command syncs dropped, policy versions
   * bumped and announced), and when `replacing` is given, that tenant purged
   * first (a self-host install's empty first-boot tenant giving way).
   */
  readonly restore: (
    tenantId: TenantId,
    tables: ReadonlyArray<TableRows>,
    options?: { readonly replacing?: TenantId }
  ) => Effect.Effect<ReadonlyArray<TableCount>, TenantDataUnavailable | ImportConflict>
  /** Deletes every row of the tenant in every table, in one transaction; the rows deleted per table. */
  readonly purge: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<TableCount>, TenantDataUnavailable>
  /** The tenant's rows in every table (archived or not), for reports and for tests that count. */
  readonly count: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<TableCount>, TenantDataUnavailable>
  /** The archived tables' names, in restore order (an archive naming any other is refused). */
  readonly archivedTables: ReadonlyArray<string>
}

export class TenantData extends Context.Tag("core/TenantData")<TenantData, TenantDataService>() {}
