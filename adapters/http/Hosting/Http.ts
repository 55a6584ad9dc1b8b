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
  type TenantData,
  type TenantId
} from "../../../core/index.js"
import { actingTenant, ensureCanActOn, ensureOperator, tenantScope } from "../Access.js"
import { Api } from "../Api.js"
import { PublicUrl } from "../PublicUrl.js"
import { ArchiveRejected, type ExportView } from "./Api.js"

export const HostingLive = HttpApiBuilder.group(Api, "hosting", (handlers) =>
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

    const operatorOn = (tenantId: TenantId, action: string) =>
      Effect.zipRight(ensureOperator(action), Effect.asVoid(tenancy.getTenant(tenantId)))

    return handlers
      .handle("requestExport", ({ payload }) =>
        Effect.flatMap(actingTenant(payload.tenantId), (tenantId) =>
          Effect.flatMap(
            Effect.flatMap(tenantScope, (scope) =>
              exports.request(tenantId, Option.isSome(scope) ? "tenant" : "operator")),
            view
          )))
      .handle("listExports", ({ urlParams }) =>
        Effect.flatMap(actingTenant(urlParams.tenantId), (tenantId) =>
          exports.list(tenantId, { limit: 100 })))
      .handle("getExport", ({ path, urlParams }) =>
        Effect.flatMap(actingTenant(urlParams.tenantId), (tenantId) =>
          Effect.flatMap(exports.get(tenantId, path.id), view)))
      .handle("importArchive", ({ payload }) =>
        Effect.gen(function*() {
          const scope = yield* tenantScope
          return yield* exports.importArchive(payload, {
            actor: Option.isSome(scope) ? "tenant" : "operator",
            ...(Option.isSome(scope) ? { onlyTenant: scope.value } : {})
          })
        }).pipe(
          Effect.catchTag("ArchiveRefused", (refused) =>
            Effect.fail(new ArchiveRejected({ reason: refused.reason, message: refused.message })))
        ))
      .handle("startOffboarding", ({ path, payload }) =>
        Effect.zipRight(
          operatorOn(path.id, "start an offboarding flow"),
          Effect.map(
            offboarding.start(path.id, { kind: payload.kind, startedBy: "operator", retireAt: payload.retireAt }),
            ({ flow, licenseKey }) => ({ flow, licenseKey: licenseKey === null ? null : Redacted.value(licenseKey) })
          )
        ).pipe(Effect.catchTag("UnknownPlan", (error) =>
          Effect.die(error))))
      .handle("listOffboarding", ({ path }) =>
        Effect.zipRight(operatorOn(path.id, "list offboarding flows"), offboarding.list(path.id)))
      .handle("getOffboarding", ({ path }) =>
        Effect.zipRight(ensureOperator("read an offboarding flow"), offboarding.get(path.id, path.flowId)))
      .handle("cancelOffboarding", ({ path }) =>
        Effect.zipRight(
          ensureOperator("cancel an offboarding flow"),
          offboarding.cancel(path.id, path.flowId, "operator")
        ))
      .handle("anonymize", ({ path }) =>
        Effect.zipRight(
          operatorOn(path.id, "anonymize a tenant"),
          Effect.provide(anonymizeTenant(path.id, "operator"), anonymizeServices)
        ))
      .handle("audit", ({ path }) =>
        Effect.zipRight(
          Effect.zipRight(ensureCanActOn(path.id), tenancy.getTenant(path.id)),
          Effect.map(audit.list(path.id, { limit: 200 }), (events) =>
            events.map((event) => ({ ...event, detail: { ...event.detail } })))
        ))
  }))

export const ExportDownloadLive = HttpApiBuilder.group(
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
