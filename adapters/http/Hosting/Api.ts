import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import {
  ArchiveRefusalReason,
  Export,
  ExportId,
  OffboardingFlow,
  OffboardingFlowId,
  OffboardingKind,
  TenantId
} from "../../../core/index.js"
import { Access } from "../Access.js"
import { Authentication } from "../Auth.js"
import {
  ExportLinkInvalid,
  ExportNotFound,
  FlowAlreadyRunning,
  FlowNotCancellable,
  FlowNotFound,
  ImportConflict,
  ImportRefused,
  InvalidInput,
  OperatorOnly,
  PayloadTooLarge,
  TenantDataUnavailable,
  TenantNotFound
} from "../shared/Errors.js"

/** The archive was refused before anything was written. */
export class ArchiveRejected extends Schema.TaggedError<ArchiveRejected>()(
  "ArchiveRejected",
  { reason: ArchiveRefusalReason, message: Schema.String },
  HttpApiSchema.annotations({ status: 422 })
) {}

export const ExportView = Schema.Struct({
  export: Export,
  download: Schema.NullOr(Schema.Struct({
    url: Schema.String.annotations({ description: "Works without an API key until expiresAt" }),
    expiresAt: Schema.DateTimeUtc
  }))
}).annotations({ identifier: "ExportView" })

export const RequestExportBody = Schema.Struct({
  tenantId: Schema.optional(TenantId).annotations({ description: "Operator keys name the tenant; tenant keys omit it" })
})

const ImportedTable = Schema.Struct({ table: Schema.String, rows: Schema.Int })
export const ImportSummaryView = Schema.Struct({
  tenantId: TenantId,
  exportedAt: Schema.String,
  tables: Schema.Array(ImportedTable),
  replaced: Schema.NullOr(TenantId)
}).annotations({ identifier: "ImportSummary" })

const ArchiveBytes = HttpApiSchema.Uint8Array({ contentType: "application/gzip" })

export const StartOffboardingBody = Schema.Struct({
  kind: OffboardingKind,
  retireAt: Schema.optional(Schema.DateTimeUtc).annotations({
    description: "move_to_self_host and non_payment: when the hosted runner stops serving the tenant (default: " +
      "now for a move, 14 days for non-payment)"
  })
}).annotations({ identifier: "StartOffboarding" })

export const StartedOffboarding = Schema.Struct({
  flow: OffboardingFlow,
  licenseKey: Schema.NullOr(Schema.String).annotations({
    description: "move_to_self_host: the self-host license key, shown once"
  })
}).annotations({ identifier: "StartedOffboarding" })

export const AuditEventView = Schema.Struct({
  id: Schema.String,
  tenantId: Schema.NullOr(TenantId),
  at: Schema.DateTimeUtc,
  actor: Schema.String,
  action: Schema.String,
  subject: Schema.String,
  detail: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}).annotations({ identifier: "AuditEvent" })

const TenantPath = Schema.Struct({ id: TenantId })
const FlowPath = Schema.Struct({ id: TenantId, flowId: OffboardingFlowId })
const ExportPath = Schema.Struct({ id: ExportId })

/** Exports, imports, offboarding and the audit trail. */
export class HostingApi extends HttpApiGroup.make("hosting")
  .add(
    HttpApiEndpoint.post("requestExport", "/exports")
      .setPayload(RequestExportBody)
      .addSuccess(ExportView, { status: 202 })
      .addError(TenantNotFound)
      .addError(InvalidInput)
      .annotate(OpenApi.Summary, "Export every row of the tenant (built in the background)")
      .annotate(
        OpenApi.Description,
        "Answers the pending export; GET /exports/{id} until it is ready, then follow its download URL. The " +
          "archive is a .tar.gz of JSON lines per table with a SHA-256 manifest signed by this server, and " +
          "holds the tenant's stored credentials (API key hashes, provider settings): keep it like a secret."
      )
  )
  .add(
    HttpApiEndpoint.get("listExports", "/exports")
      .setUrlParams(RequestExportBody)
      .addSuccess(Schema.Array(Export))
      .addError(TenantNotFound)
      .addError(InvalidInput)
  )
  .add(
    HttpApiEndpoint.get("getExport", "/exports/:id")
      .setPath(ExportPath)
      .setUrlParams(RequestExportBody)
      .addSuccess(ExportView)
      .addError(ExportNotFound)
      .addError(TenantNotFound)
      .addError(InvalidInput)
      .annotate(OpenApi.Summary, "An export's status, and a download URL that expires once it is ready")
  )
  .add(
    HttpApiEndpoint.post("importArchive", "/imports")
      .setPayload(ArchiveBytes)
      .addSuccess(ImportSummaryView)
      .addError(ArchiveRejected)
      .addError(InvalidInput)
      .addError(TenantNotFound)
      .addError(ImportConflict)
      .addError(ImportRefused)
      .addError(TenantDataUnavailable)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Restore an export archive (Content-Type: application/gzip)")
      .annotate(
        OpenApi.Description,
        "Verifies the signature (this server's key, the license server's, or GUILDHALL_EXPORT_TRUSTED_KEYS), " +
          "the format version and every table's SHA-256, then replaces the tenant's rows in one transaction: " +
          "importing the same archive twice changes nothing. A corrupt, foreign or tampered archive is 422 with " +
          "`reason` and nothing is written. Tenant keys import only their own tenant's archives. On a self-host " +
          "install the archive's tenant replaces the empty first-boot tenant."
      )
  )
  .add(
    HttpApiEndpoint.post("startOffboarding", "/tenants/:id/offboarding")
      .annotate(Access, Access.operator)
      .setPath(TenantPath)
      .setPayload(StartOffboardingBody)
      .addSuccess(StartedOffboarding, { status: 201 })
      .addError(TenantNotFound)
      .addError(FlowAlreadyRunning)
      .addError(InvalidInput)
      .addError(OperatorOnly)
      .annotate(OpenApi.Summary, "Start an offboarding flow: move to self-host, remove the bot, or non-payment")
      .annotate(
        OpenApi.Description,
        "move_to_self_host: export now, license issued now (key in the answer, shown once), retire at retireAt " +
          "(the hosted runner stops serving the tenant's guilds and removes its commands). remove_bot: retire " +
          "(commands removed), licenses revoked, every row purged after the retention window (30 days). " +
          "non_payment: export offered, retire at retireAt, purge after the retention window. Each step is a " +
          "job at its time, audited; cancel before the last step."
      )
  )
  .add(
    HttpApiEndpoint.get("listOffboarding", "/tenants/:id/offboarding")
      .annotate(Access, Access.operator)
      .setPath(TenantPath)
      .addSuccess(Schema.Array(OffboardingFlow))
      .addError(TenantNotFound)
      .addError(OperatorOnly)
  )
  .add(
    HttpApiEndpoint.get("getOffboarding", "/tenants/:id/offboarding/:flowId")
      .annotate(Access, Access.operator)
      .setPath(FlowPath)
      .addSuccess(OffboardingFlow)
      .addError(FlowNotFound)
      .addError(OperatorOnly)
  )
  .add(
    HttpApiEndpoint.post("cancelOffboarding", "/tenants/:id/offboarding/:flowId/cancel")
      .annotate(Access, Access.operator)
      .setPath(FlowPath)
      .addSuccess(OffboardingFlow)
      .addError(FlowNotFound)
      .addError(FlowNotCancellable)
      .addError(OperatorOnly)
      .annotate(OpenApi.Summary, "Cancel a flow before its last step (a retired tenant gets its status back)")
  )
  .add(
    HttpApiEndpoint.post("anonymize", "/tenants/:id/anonymize")
      .annotate(Access, Access.operator)
      .setPath(TenantPath)
      .addSuccess(Schema.Struct({ memberIds: Schema.Int }))
      .addError(TenantNotFound)
      .addError(TenantDataUnavailable)
      .addError(ImportConflict)
      .addError(OperatorOnly)
      .annotate(
        OpenApi.Summary,
        "Replace the tenant's member ids with stable pseudonyms (raw webhook payloads dropped)"
      )
  )
  .add(
    HttpApiEndpoint.get("audit", "/tenants/:id/audit")
      .setPath(TenantPath)
      .addSuccess(Schema.Array(AuditEventView))
      .addError(TenantNotFound)
      .annotate(OpenApi.Summary, "The tenant's audit trail (exports, imports, offboarding), newest first")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Moving a tenant's data between installs, and leaving the hosted platform")
{}

/** The export download: the signed link is the credential, so it works from a browser. */
export class ExportDownloadApi extends HttpApiGroup.make("exportDownload")
  .add(
    HttpApiEndpoint.get("download", "/exports/:id/archive")
      .setPath(ExportPath)
      .setUrlParams(Schema.Struct({ expires: Schema.NumberFromString, signature: Schema.String }))
      .addSuccess(ArchiveBytes)
      .addError(ExportLinkInvalid)
      .addError(ExportNotFound)
      .annotate(OpenApi.Summary, "Download an export's archive through the link GET /exports/{id} gave")
  )
{}
