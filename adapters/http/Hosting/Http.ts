import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Redacted } from "effect"
import {
  anonymizeTenant,
  AuditLog,
  type Crypto,
  type Export,
  Exports,
  Offboarding,
  type PlatformSettingsRepo,
  Tenancy,
  type TenantData
} from "../../../core/index.js"
import { Api } from "../Api.js"
import { actingTenant, asOperatorOn, forTenant, isOperator, listScope } from "../Policy.js"
import { PublicUrl } from "../PublicUrl.js"
import { ArchiveRejected, type ExportView } from "./Api.js"

export const HttpHostingLive = HttpApiBuilder.group(Api, "hosting", (handlers) =>
  Effect.gen(function*() {
    const exports = yield* Exports
    const offboarding = yield* Offboarding
    const tenancy = yield* Tenancy
    const audit = yield* AuditLog
    const publicUrl = yield* PublicUrl

    const anonymizeServices = yield* Effect.context<Crypto | TenantData | PlatformSettingsRepo | AuditLog>()

    const view = (exported: Export): Effect.Effect<typeof ExportView.Type> =>
      exported.status !== "ready"
        ? Effect.succeed({ export: exported, download: null })
        : Effect.map(exports.downloadLink(exported), (link) => ({
          export: exported,
          download: {
            url: `${publicUrl}${link.path}?expires=${link.expires}&signature=${link.signature}`,
            expiresAt: link.expiresAt
          }
        }))

    return handlers
      .handle("requestExport", ({ payload }) =>
        Effect.flatMap(actingTenant(payload.tenantId), ({ tenantId }) =>
          Effect.flatMap(
            Effect.flatMap(isOperator, (operator) =>
              exports.request(tenantId, operator ? "operator" : "tenant")),
            view
          )))
      .handle("listExports", ({ urlParams }) =>
        Effect.flatMap(actingTenant(urlParams.tenantId), ({ tenantId }) =>
          exports.list(tenantId, { limit: 100 })))
      .handle("getExport", ({ path, urlParams }) =>
        Effect.flatMap(actingTenant(urlParams.tenantId), ({ tenantId }) =>
          Effect.flatMap(exports.get(tenantId, path.id), view)))
      .handle("importArchive", ({ payload }) =>
        Effect.gen(function*() {
          // An operator imports any tenant's archive; anyone else only into the tenant they act for.
          const scope = yield* listScope(undefined)
          return yield* exports.importArchive(payload, {
            actor: Option.isSome(scope) ? "tenant" : "operator",
            ...(Option.isSome(scope) ? { onlyTenant: scope.value } : {})
          })
        }).pipe(
          Effect.catchTag("ArchiveRefused", (refused) =>
            Effect.fail(new ArchiveRejected({ reason: refused.reason, message: refused.message })))
        ))
      .handle(
        "startOffboarding",
        asOperatorOn("start an offboarding flow")(({ tenantId }, { payload }) =>
          Effect.zipRight(
            tenancy.getTenant(tenantId),
            Effect.map(
              offboarding.start(tenantId, { kind: payload.kind, startedBy: "operator", retireAt: payload.retireAt }),
              ({ flow, licenseKey }) => ({ flow, licenseKey: licenseKey === null ? null : Redacted.value(licenseKey) })
            )
          ).pipe(Effect.catchTag("UnknownPlan", (error) =>
            Effect.die(error)))
        )
      )
      .handle(
        "listOffboarding",
        asOperatorOn("list offboarding flows")(({ tenantId }) =>
          Effect.zipRight(tenancy.getTenant(tenantId), offboarding.list(tenantId))
        )
      )
      .handle(
        "getOffboarding",
        asOperatorOn("read an offboarding flow")(({ tenantId }, { path }) =>
          offboarding.get(tenantId, path.flowId)
        )
      )
      .handle(
        "cancelOffboarding",
        asOperatorOn("cancel an offboarding flow")(({ tenantId }, { path }) =>
          offboarding.cancel(tenantId, path.flowId, "operator")
        )
      )
      .handle(
        "anonymize",
        asOperatorOn("anonymize a tenant")(({ tenantId }) =>
          Effect.zipRight(
            tenancy.getTenant(tenantId),
            Effect.provide(anonymizeTenant(tenantId, "operator"), anonymizeServices)
          )
        )
      )
      .handle(
        "audit",
        forTenant(({ tenantId }) =>
          Effect.zipRight(
            tenancy.getTenant(tenantId),
            Effect.map(audit.list(tenantId, { limit: 200 }), (events) =>
              events.map((event) => ({ ...event, detail: { ...event.detail } })))
          )
        )
      )
  }))

export const HttpExportDownloadLive = HttpApiBuilder.group(
  Api,
  "exportDownload",
  (handlers) =>
    Effect.map(
      Exports,
      (exports) =>
        handlers.handle("download", ({ path, urlParams }) =>
          Effect.map(exports.download(path.id, urlParams.expires, urlParams.signature), ({ bytes, exported }) =>
            // A browser following the link saves a file named after the tenant and the export.
            HttpServerResponse.uint8Array(bytes, {
              contentType: "application/gzip",
              headers: {
                "content-disposition": `attachment; filename="guildhall-${exported.tenantId}-${exported.id}.tar.gz"`
              }
            })))
    )
)
