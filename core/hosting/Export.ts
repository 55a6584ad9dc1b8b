import { Schema } from "effect"
import { TenantId } from "../ids.js"

export const ExportId = Schema.UUID.pipe(Schema.brand("ExportId"))
export type ExportId = typeof ExportId.Type

export const ExportStatus = Schema.Literal("pending", "ready", "failed")
export type ExportStatus = typeof ExportStatus.Type

export const TableSummary = Schema.Struct({ table: Schema.String, rows: Schema.Int })

/** A tenant's export: requested, built in the background, kept until it expires. */
export class Export extends Schema.Class<Export>("Export")({
  id: ExportId,
  tenantId: TenantId,
  status: ExportStatus,
  /** Who asked: "tenant", "operator", "offboarding". */
  requestedBy: Schema.String,
  createdAt: Schema.DateTimeUtc,
  finishedAt: Schema.NullOr(Schema.DateTimeUtc),
  /** When the archive is deleted (a ready export); null until ready. */
  expiresAt: Schema.NullOr(Schema.DateTimeUtc),
  /** Hex SHA-256 of the archive's bytes. */
  sha256: Schema.NullOr(Schema.String),
  sizeBytes: Schema.NullOr(Schema.Int),
  tables: Schema.NullOr(Schema.Array(TableSummary)),
  /** Why it failed. */
  error: Schema.NullOr(Schema.String)
}) {}
