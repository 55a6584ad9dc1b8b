import { Context, DateTime, Effect, Either, Layer, Option, Schema } from "effect"
import { type TenantId } from "../ids.js"
import { JobKind } from "../jobs/JobKind.js"
import { ArchiveCodec } from "../ports/ArchiveCodec.js"
import { AuditLog } from "../ports/AuditLog.js"
import { Crypto } from "../ports/Crypto.js"
import { ExportRepo } from "../ports/ExportRepo.js"
import { Jobs } from "../ports/Jobs.js"
import { LicenseSigner, SignatureVerifier } from "../ports/LicenseSigning.js"
import { type ImportConflict, TenantData, type TenantDataUnavailable } from "../ports/TenantData.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { TenantNotFound } from "../tenancy/errors.js"
import { auditTrail } from "./auditTrail.js"
import { Export, ExportId } from "./Export.js"
import { ArchiveRefused, buildArchive, checkSignature, openArchive } from "./ExportArchive.js"
import { ExportLinkInvalid, ExportNotFound, ImportRefused, type ImportSummary } from "./exportErrors.js"
import { ExportSettings } from "./ExportSettings.js"

export { ExportLinkInvalid, ExportNotFound, ImportRefused, type ImportSummary } from "./exportErrors.js"
export { ExportSettings, type ExportSettingsService } from "./ExportSettings.js"

const linkPrefix = "guildhall-export-link/1."

const make = Effect.gen(function*() {
  const repo = yield* ExportRepo
  const data = yield* TenantData
  const codec = yield* ArchiveCodec
  const signer = yield* LicenseSigner
  const verifier = yield* SignatureVerifier
  const crypto = yield* Crypto
  const jobs = yield* Jobs
  const audit = yield* AuditLog
  const tenants = yield* TenantRepo
  const settings = yield* ExportSettings

  const record = auditTrail(audit, crypto)

  const mustExist = (tenantId: TenantId) =>
    Effect.flatMap(
      tenants.findById(tenantId),
      Option.match({ onNone: () => Effect.fail(TenantNotFound.of(tenantId)), onSome: Effect.succeed })
    )

  /** The tenant's signed archive, now. */
  const archiveOf = (tenantId: TenantId) =>
    Effect.gen(function*() {
      const tables = yield* data.dump(tenantId)
      const createdAt = DateTime.formatIso(yield* DateTime.now)
      const entries = buildArchive({ tenantId, createdAt, tables, signer, sha256Hex: crypto.sha256Hex })
      const bytes = yield* codec.pack(entries)
      return { bytes, tables: tables.map(({ rows, table }) => ({ table, rows: rows.length })) }
    })

  const pending = (tenantId: TenantId, requestedBy: string) =>
    Effect.gen(function*() {
      yield* mustExist(tenantId)
      const exported = new Export({
        id: ExportId.make(yield* crypto.uuid),
        tenantId,
        status: "pending",
        requestedBy,
        createdAt: yield* DateTime.now,
        finishedAt: null,
        expiresAt: null,
        sha256: null,
        sizeBytes: null,
        tables: null,
        error: null
      })
      yield* repo.insert(exported)
      return exported
    })

  /** Builds a pending export's archive and stores it; a ready or failed one is left as it is. */
  const complete = (exported: Export) =>
    Effect.gen(function*() {
      if (exported.status !== "pending") return exported
      const built = yield* Effect.either(archiveOf(exported.tenantId))
      const now = yield* DateTime.now
      const finished = Either.match(built, {
        onLeft: (error) => new Export({ ...exported, status: "failed", finishedAt: now, error: error.message }),
        onRight: ({ bytes, tables }) =>
          new Export({
            ...exported,
            status: "ready",
            finishedAt: now,
            expiresAt: DateTime.addDuration(now, settings.retention),
            sha256: crypto.sha256HexOfBytes(bytes),
            sizeBytes: bytes.length,
            tables
          })
      })
      yield* repo.finish(finished, Either.getOrNull(Either.map(built, (b) => b.bytes)))
      yield* record(exported.tenantId, "system", `export.${finished.status}`, exported.id, {
        sizeBytes: finished.sizeBytes,
        sha256: finished.sha256,
        error: finished.error
      })
      yield* Effect.logInfo(`exports: ${exported.id} ${finished.status}`).pipe(
        Effect.annotateLogs({ tenantId: exported.tenantId, sizeBytes: finished.sizeBytes ?? 0 })
      )
      return finished
    })

  /** Asks for an export: recorded as pending, built by a job; GET it for the status and a link. */
  const request = (tenantId: TenantId, requestedBy: string) =>
    Effect.gen(function*() {
      const exported = yield* pending(tenantId, requestedBy)
      yield* jobs.enqueue([exportBuildKind.spec({
        tenantId,
        payload: { exportId: exported.id },
        runAt: exported.createdAt,
        idempotencyKey: `${exportBuildKind.kind}:${exported.id}`
      })])
      yield* record(tenantId, requestedBy, "export.requested", exported.id, {})
      return exported
    })

  /** Builds an export in this fiber (the CLI, an offboarding step): recorded like a requested one. */
  const exportNow = (tenantId: TenantId, requestedBy: string) =>
    Effect.flatMap(pending(tenantId, requestedBy), complete)

  const get = (tenantId: TenantId, id: ExportId) =>
    Effect.flatMap(
      repo.find(tenantId, id),
      Option.match({ onNone: () => Effect.fail(ExportNotFound.of(id)), onSome: Effect.succeed })
    )

  const archive = (tenantId: TenantId, id: ExportId) =>
    Effect.flatMap(
      repo.archive(tenantId, id),
      Option.match({ onNone: () => Effect.fail(ExportNotFound.of(id)), onSome: Effect.succeed })
    )

  /** A link to a ready export's archive that works until it expires, without an API key (`signature` is the capability). */
  const downloadLink = (exported: Export) =>
    Effect.map(DateTime.now, (now) => {
      const expires = Math.floor(DateTime.toEpochMillis(DateTime.addDuration(now, settings.linkTtl)) / 1000)
      return {
        path: `/exports/${exported.id}/archive`,
        expires,
        signature: signer.sign(`${linkPrefix}${exported.id}.${expires}`),
        expiresAt: DateTime.unsafeMake(expires * 1000)
      }
    })

  /** The archive a link points at, once its signature and expiry check out. */
  const download = (id: ExportId, expires: number, signature: string) =>
    Effect.gen(function*() {
      const now = yield* DateTime.now
      const valid = verifier.verify(signer.publicKey, `${linkPrefix}${id}.${expires}`, signature)
      if (!valid) return yield* new ExportLinkInvalid({ message: "The download link is not valid for this export" })
      if (expires * 1000 <= DateTime.toEpochMillis(now)) {
        return yield* new ExportLinkInvalid({
          message: "The download link expired; GET /exports/{id} gives a fresh one"
        })
      }
      const exported = yield* Effect.flatMap(
        repo.findAnyTenant(id),
        Option.match({ onNone: () => Effect.fail(ExportNotFound.of(id)), onSome: Effect.succeed })
      )
      const bytes = yield* archive(exported.tenantId, id)
      yield* record(exported.tenantId, "link", "export.downloaded", id, {})
      return { exported, bytes }
    })

  /**
   * Verifies an archive (signature by a trusted key, checksums, version) and
   * restores it in one transaction. `tenantId`, when given, is the only
   * tenant the caller may import (a tenant's own key). On a self-host install
   * (its one tenant is a self_host tenant) the archive's tenant replaces the
   * first-boot tenant if that one is still empty; one with guilds is never replaced.
   */
  const importArchive = (
    bytes: Uint8Array,
    options: { readonly actor: string; readonly onlyTenant?: TenantId }
  ) =>
    Effect.gen(function*() {
      const trust = { trustedKeys: [signer.publicKey, ...settings.trustedKeys], verify: verifier.verify }
      const unpack = (onlyFirst?: number) =>
        codec.unpack(bytes, { maxUnpackedBytes: settings.maxUnpackedBytes, ...(onlyFirst ? { onlyFirst } : {}) }).pipe(
          Effect.mapError((error) =>
            new ArchiveRefused({
              reason: error._tag === "ArchiveTooLarge" ? "too_large" : "malformed",
              message: error.message
            })
          )
        )
      // The manifest and signature lead the archive: a foreign or altered one is refused before the rest unpacks.
      yield* checkSignature(yield* unpack(2), trust)
      const opened = yield* openArchive(yield* unpack(), {
        ...trust,
        sha256Hex: crypto.sha256Hex,
        knownTables: data.archivedTables
      })
      const tenantId = opened.manifest.tenantId
      if (options.onlyTenant !== undefined && options.onlyTenant !== tenantId) {
        return yield* new ArchiveRefused({
          reason: "foreign",
          message: `The archive holds tenant ${tenantId}; this API key may import only its own tenant's archives`
        })
      }
      // A self-host install's first-boot tenant, still empty, gives way to the imported one.
      let replacing: TenantId | undefined
      const existing = yield* tenants.list({ limit: 2 })
      const only = existing.length === 1 ? existing[0]! : undefined
      if (only !== undefined && only.mode === "self_host" && only.id !== tenantId) {
        const guilds = (yield* data.count(only.id)).find((count) => count.table === "guilds")?.rows ?? 0
        if (guilds > 0) {
          return yield* new ImportRefused({
            message: `This self-host install already serves tenant ${only.id} (${only.name}) with ${guilds} ` +
              "guild(s); an import replaces only an install's empty first-boot tenant. Import into a fresh install."
          })
        }
        replacing = only.id
      }
      const tables = yield* data.restore(tenantId, opened.tables, replacing === undefined ? {} : { replacing })
      yield* record(tenantId, options.actor, "import.restored", tenantId, {
        exportedAt: opened.manifest.createdAt,
        rows: tables.reduce((sum, table) => sum + table.rows, 0),
        replaced: replacing ?? null
      })
      yield* Effect.logInfo(`imports: restored tenant ${tenantId}`)
      const summary: ImportSummary = {
        tenantId,
        exportedAt: opened.manifest.createdAt,
        tables,
        replaced: replacing ?? null
      }
      return summary
    })

  const build = (id: ExportId) =>
    Effect.flatMap(
      repo.findAnyTenant(id),
      Option.match({ onNone: () => Effect.void, onSome: (exported) => Effect.asVoid(complete(exported)) })
    )

  return {
    request,
    exportNow,
    get,
    list: repo.list,
    archive,
    downloadLink,
    download,
    importArchive,
    purgeExpired: Effect.flatMap(DateTime.now, repo.purgeExpired),
    build
  }
})

/** Tenant exports and imports (ADR 083). */
export interface ExportsService {
  /** Asks for an export: recorded as pending, built by a job; GET it for the status and a link. */
  readonly request: (tenantId: TenantId, requestedBy: string) => Effect.Effect<Export, TenantNotFound>
  /** Builds an export in this fiber (the CLI, an offboarding step): recorded like a requested one. */
  readonly exportNow: (tenantId: TenantId, requestedBy: string) => Effect.Effect<Export, TenantNotFound>
  readonly get: (tenantId: TenantId, id: ExportId) => Effect.Effect<Export, ExportNotFound>
  /** The tenant's exports, at most `limit` of them. */
  readonly list: (tenantId: TenantId, options: { readonly limit: number }) => Effect.Effect<ReadonlyArray<Export>>
  /** A ready export's archive bytes. */
  readonly archive: (tenantId: TenantId, id: ExportId) => Effect.Effect<Uint8Array, ExportNotFound>
  /** A link to a ready export's archive that works until it expires, without an API key. */
  readonly downloadLink: (
    exported: Export
  ) => Effect.Effect<{ path: string; expires: number; signature: string; expiresAt: DateTime.Utc }>
  /** The archive a link points at, once its signature and expiry check out. */
  readonly download: (
    id: ExportId,
    expires: number,
    signature: string
  ) => Effect.Effect<{ exported: Export; bytes: Uint8Array }, ExportNotFound | ExportLinkInvalid>
  /** Verifies an archive and restores it in one transaction (`onlyTenant`: the one tenant the caller may import). */
  readonly importArchive: (
    bytes: Uint8Array,
    options: { readonly actor: string; readonly onlyTenant?: TenantId }
  ) => Effect.Effect<ImportSummary, TenantDataUnavailable | ImportConflict | ArchiveRefused | ImportRefused>
  /** Deletes the exports past their retention; how many. */
  readonly purgeExpired: Effect.Effect<number>
  /** Builds a requested export (the exports.build job); one no longer recorded, or built already, is left alone. */
  readonly build: (id: ExportId) => Effect.Effect<void>
}

export class Exports extends Context.Tag("core/Exports")<Exports, ExportsService>() {
  static readonly layer = Layer.effect(Exports, make)
}

/** Builds a requested export. */
export const exportBuildKind = JobKind.make({
  kind: "exports.build",
  payload: Schema.Struct({ exportId: ExportId }),
  handle: ({ exportId }) => Effect.flatMap(Exports, (exports) => exports.build(exportId))
})
