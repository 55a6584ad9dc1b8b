import { Schema } from "effect"
import type { TenantId } from "../ids.js"
import type { TableCount } from "../ports/TenantData.js"

// What exports and imports answer besides an export: their refusals, and what an import did.

export class ExportNotFound extends Schema.TaggedError<ExportNotFound>()("ExportNotFound", {
  exportId: Schema.String,
  message: Schema.String
}) {
  static of(exportId: string) {
    return new ExportNotFound({ exportId, message: `No export ${exportId} for this tenant` })
  }
}

/** The download link is not one this server made, or it expired: ask GET /exports/{id} for a fresh one. */
export class ExportLinkInvalid extends Schema.TaggedError<ExportLinkInvalid>()("ExportLinkInvalid", {
  message: Schema.String
}) {}

/** An import would replace a tenant that has data of its own. */
export class ImportRefused extends Schema.TaggedError<ImportRefused>()("ImportRefused", {
  message: Schema.String
}) {}

export interface ImportSummary {
  readonly tenantId: TenantId
  readonly exportedAt: string
  readonly tables: ReadonlyArray<TableCount>
  /** The self-host install's first-boot tenant the import replaced. */
  readonly replaced: TenantId | null
}
