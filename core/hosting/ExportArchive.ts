import { Either, Schema } from "effect"
import { canonicalJson } from "../bot/DiscordCommandJson.js"
import { TenantId } from "../ids.js"
import type { ArchiveEntry } from "../ports/ArchiveCodec.js"
import type { LicenseSignerService } from "../ports/LicenseSigning.js"
import type { JsonRow, TableRows } from "../ports/TenantData.js"

/**
 * The export archive (ADR 083): `manifest.json` (format, version, tenant,
 * and per table its file, row count and SHA-256), `signature.json` (an
 * Ed25519 signature of the manifest by the exporting server's license key)
 * and `tables/<table>.jsonl`, one row per line as canonical JSON (keys
 * sorted), lines sorted, so the same rows always give the same bytes.
 */
export const archiveFormat = "guildhall-export"
/** Bumped when an archived table changes shape; an import reads only versions it knows. */
export const archiveVersion = 1
/** What is signed is the manifest under this prefix, so a signature made for anything else never verifies here. */
const signedPrefix = "guildhall-export/1."

export const manifestPath = "manifest.json"
export const signaturePath = "signature.json"
const tablePath = (table: string) => `tables/${table}.jsonl`

export const ArchiveManifest = Schema.Struct({
  format: Schema.Literal(archiveFormat),
  version: Schema.Int,
  tenantId: TenantId,
  createdAt: Schema.String,
  tables: Schema.Array(Schema.Struct({
    table: Schema.String,
    file: Schema.String,
    rows: Schema.Int,
    sha256: Schema.String
  }))
})
export type ArchiveManifest = typeof ArchiveManifest.Type

const ArchiveSignature = Schema.Struct({ keyId: Schema.String, publicKey: Schema.String, signature: Schema.String })

export const ArchiveRefusalReason = Schema.Literal(
  "malformed",
  "foreign",
  "tampered",
  "unsupported_version",
  "too_large"
)
export type ArchiveRefusalReason = typeof ArchiveRefusalReason.Type

/** The archive cannot be imported; nothing was written. */
export class ArchiveRefused extends Schema.TaggedError<ArchiveRefused>()("ArchiveRefused", {
  reason: ArchiveRefusalReason,
  message: Schema.String
}) {}

const tableFile = (rows: ReadonlyArray<JsonRow>) => {
  const lines = rows.map(canonicalJson).sort()
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`
}

/** The archive's files for the tenant's tables, signed. */
export const buildArchive = (input: {
  readonly tenantId: TenantId
  readonly createdAt: string
  readonly tables: ReadonlyArray<TableRows>
  readonly signer: LicenseSignerService
  readonly sha256Hex: (text: string) => string
}): ReadonlyArray<ArchiveEntry> => {
  const files = input.tables.map(({ rows, table }) => ({ table, rows: rows.length, content: tableFile(rows) }))
  const manifest: ArchiveManifest = {
    format: archiveFormat,
    version: archiveVersion,
    tenantId: input.tenantId,
    createdAt: input.createdAt,
    tables: files.map((file) => ({
      table: file.table,
      file: tablePath(file.table),
      rows: file.rows,
      sha256: input.sha256Hex(file.content)
    }))
  }
  const manifestText = canonicalJson(manifest)
  const signature = {
    keyId: input.signer.keyId,
    publicKey: input.signer.publicKey,
    signature: input.signer.sign(signedPrefix + manifestText)
  }
  return [
    { path: manifestPath, content: manifestText },
    { path: signaturePath, content: canonicalJson(signature) },
    ...files.map((file) => ({ path: tablePath(file.table), content: file.content }))
  ]
}

/** What a verified archive holds. */
export interface OpenedArchive {
  readonly manifest: ArchiveManifest
  readonly tables: ReadonlyArray<TableRows>
}

const refuse = (reason: ArchiveRefusalReason, message: string) => Either.left(new ArchiveRefused({ reason, message }))

const parseJson = (text: string): Either.Either<unknown, void> =>
  Either.try({ try: () => JSON.parse(text) as unknown, catch: () => undefined })

/** Who may have signed an archive, and how a signature is checked. */
export interface ArchiveTrust {
  readonly trustedKeys: ReadonlyArray<string>
  readonly verify: (publicKey: string, message: string, signature: string) => boolean
}

/**
 * The signature alone: by a trusted key, over the manifest. The manifest and
 * signature are the archive's first two files, so an import checks this
 * before unpacking the rest. Gives the manifest's text.
 */
export const checkSignature = (
  entries: ReadonlyArray<ArchiveEntry>,
  trust: ArchiveTrust
): Either.Either<string, ArchiveRefused> => {
  const manifestText = entries.find((entry) => entry.path === manifestPath)?.content
  const signatureText = entries.find((entry) => entry.path === signaturePath)?.content
  if (manifestText === undefined || signatureText === undefined) {
    return refuse("malformed", `Not a Guildhall export: ${manifestPath} or ${signaturePath} is missing`)
  }
  const signature = Either.flatMap(
    parseJson(signatureText),
    (json) => Either.mapLeft(Schema.decodeUnknownEither(ArchiveSignature)(json), () => undefined)
  )
  if (Either.isLeft(signature)) return refuse("malformed", `${signaturePath} is not a Guildhall export signature`)
  if (!trust.trustedKeys.includes(signature.right.publicKey)) {
    return refuse(
      "foreign",
      `The archive was signed by key ${signature.right.keyId} (${signature.right.publicKey}), which this install ` +
        "does not trust: import archives exported by this server, or by the license server whose public key is " +
        "GUILDHALL_LICENSE_PUBLIC_KEY, or add the exporter's key to GUILDHALL_EXPORT_TRUSTED_KEYS"
    )
  }
  if (!trust.verify(signature.right.publicKey, signedPrefix + manifestText, signature.right.signature)) {
    return refuse("tampered", "The manifest does not match its signature: the archive was changed after export")
  }
  return Either.right(manifestText)
}

/**
 * Checks an archive before anything is written: the signature by a trusted
 * key over the manifest, the format and version, every table file's SHA-256
 * and row count, no file the manifest does not list, only tables this
 * install restores. Then its rows.
 */
export const openArchive = (
  entries: ReadonlyArray<ArchiveEntry>,
  trust: ArchiveTrust & {
    readonly sha256Hex: (text: string) => string
    readonly knownTables: ReadonlyArray<string>
  }
): Either.Either<OpenedArchive, ArchiveRefused> => {
  const byPath = new Map(entries.map((entry) => [entry.path, entry.content]))
  const signed = checkSignature(entries, trust)
  if (Either.isLeft(signed)) return Either.left(signed.left)
  const manifestText = signed.right
  const manifest = Either.flatMap(
    parseJson(manifestText),
    (json) => Either.mapLeft(Schema.decodeUnknownEither(ArchiveManifest)(json), () => undefined)
  )
  if (Either.isLeft(manifest)) return refuse("malformed", `${manifestPath} is not a Guildhall export manifest`)
  if (manifest.right.version !== archiveVersion) {
    return refuse(
      "unsupported_version",
      `The archive is version ${manifest.right.version}; this build reads version ${archiveVersion}: ` +
        "import it with the Guildhall version that exported it, or a newer one"
    )
  }
  const listed = new Set([manifestPath, signaturePath, ...manifest.right.tables.map((table) => table.file)])
  const extra = entries.find((entry) => !listed.has(entry.path))
  if (extra) return refuse("tampered", `The archive holds ${extra.path}, which its manifest does not list`)
  const tables: Array<TableRows> = []
  for (const table of manifest.right.tables) {
    if (!trust.knownTables.includes(table.table)) {
      return refuse("unsupported_version", `The archive holds table ${table.table}, which this build does not restore`)
    }
    const content = byPath.get(table.file)
    if (content === undefined) return refuse("tampered", `The archive lacks ${table.file}, which its manifest lists`)
    if (trust.sha256Hex(content) !== table.sha256) {
      return refuse("tampered", `${table.file} does not match its SHA-256 in the manifest: the archive is corrupt`)
    }
    const rows: Array<JsonRow> = []
    for (const line of content.split("\n")) {
      if (line === "") continue
      const row = parseJson(line)
      if (Either.isLeft(row) || row.right === null || typeof row.right !== "object" || Array.isArray(row.right)) {
        return refuse("malformed", `${table.file} holds a line that is not a JSON object`)
      }
      const owner = table.table === "tenants" ? (row.right as JsonRow).id : (row.right as JsonRow).tenant_id
      if (owner !== manifest.right.tenantId) {
        return refuse("tampered", `${table.file} holds a row of another tenant than ${manifest.right.tenantId}`)
      }
      rows.push(row.right as JsonRow)
    }
    if (rows.length !== table.rows) {
      return refuse("tampered", `${table.file} holds ${rows.length} rows; its manifest says ${table.rows}`)
    }
    tables.push({ table: table.table, rows })
  }
  if (tables.find((table) => table.table === "tenants")?.rows.length !== 1) {
    return refuse("malformed", "The archive does not hold its tenant's row (tables/tenants.jsonl)")
  }
  return Either.right({ manifest: manifest.right, tables })
}
