import { Effect, Either, Layer } from "effect"
import { promisify } from "node:util"
import { createGunzip, gunzip, gzip } from "node:zlib"
import {
  ArchiveCodec,
  type ArchiveEntry,
  ArchiveTooLarge,
  ArchiveUnreadable,
  type UnpackLimits
} from "../../core/index.js"

/**
 * Archives as gzip-compressed POSIX ustar: any `tar -xzf` opens them. Only
 * what exports need: regular files, paths under 100 bytes, mtime 0 (the same
 * files always give the same bytes). Written here rather than taken from a
 * tar package: both directions fit in this file (ADR 083).
 */
const block = 512
const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)
const encoder = new TextEncoder()
const strictUtf8 = new TextDecoder("utf-8", { fatal: true })

const writeField = (header: Uint8Array, offset: number, length: number, text: string) => {
  const bytes = encoder.encode(text)
  if (bytes.length > length) throw new Error(`tar: "${text}" does not fit in ${length} bytes`)
  header.set(bytes, offset)
}

const octal = (value: number, digits: number) => value.toString(8).padStart(digits, "0")

const checksumOf = (header: Uint8Array) => {
  let sum = 0
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!
  return sum
}

const headerOf = (path: string, size: number) => {
  const header = new Uint8Array(block)
  writeField(header, 0, 100, path)
  writeField(header, 100, 8, "0000644\0")
  writeField(header, 108, 8, "0000000\0")
  writeField(header, 116, 8, "0000000\0")
  writeField(header, 124, 12, `${octal(size, 11)}\0`)
  writeField(header, 136, 12, `${octal(0, 11)}\0`)
  header[156] = 0x30 // '0': a regular file
  writeField(header, 257, 8, "ustar\u000000")
  writeField(header, 148, 8, `${octal(checksumOf(header), 6)}\0 `)
  return header
}

/** The tar bytes of `entries`, uncompressed. */
export const tarOf = (entries: ReadonlyArray<ArchiveEntry>): Uint8Array => {
  const parts: Array<Uint8Array> = []
  let total = 0
  for (const entry of entries) {
    const content = encoder.encode(entry.content)
    const padded = Math.ceil(content.length / block) * block
    const header = headerOf(entry.path, content.length)
    const body = new Uint8Array(padded)
    body.set(content)
    parts.push(header, body)
    total += block + padded
  }
  const out = new Uint8Array(total + 2 * block)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const textField = (header: Uint8Array, offset: number, length: number) => {
  const field = header.subarray(offset, offset + length)
  const end = field.indexOf(0)
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end))
}

const unreadable = (message: string) => new ArchiveUnreadable({ message })

/** What the tar bytes hold at one offset: a record (a file's entry, or another kind), the end, or too few bytes. */
type Record =
  | { readonly _tag: "Record"; readonly entry: ArchiveEntry | undefined; readonly next: number }
  | { readonly _tag: "End" }
  | { readonly _tag: "Short"; readonly upTo: number; readonly path: string | undefined }

const recordAt = (tar: Uint8Array, offset: number): Either.Either<Record, ArchiveUnreadable> => {
  if (offset + block > tar.length) return Either.right({ _tag: "Short", upTo: offset + block, path: undefined })
  const header = tar.subarray(offset, offset + block)
  if (header.every((byte) => byte === 0)) return Either.right({ _tag: "End" })
  const recorded = Number.parseInt(textField(header, 148, 8).trim(), 8)
  if (recorded !== checksumOf(header)) {
    return Either.left(unreadable(`The tar header at byte ${offset} is damaged (checksum mismatch)`))
  }
  const path = textField(header, 0, 100)
  const size = Number.parseInt(textField(header, 124, 12).trim(), 8)
  if (!Number.isFinite(size) || size < 0) return Either.left(unreadable(`The tar header of ${path} has no valid size`))
  const start = offset + block
  if (start + size > tar.length) return Either.right({ _tag: "Short", upTo: start + size, path })
  const next = start + Math.ceil(size / block) * block
  const type = header[156]
  if (type !== 0x30 && type !== 0) return Either.right({ _tag: "Record", entry: undefined, next })
  try {
    return Either.right({
      _tag: "Record",
      entry: { path, content: strictUtf8.decode(tar.subarray(start, start + size)) },
      next
    })
  } catch {
    return Either.left(unreadable(`${path} is not UTF-8 text`))
  }
}

const truncated = (path: string | undefined) =>
  unreadable(
    path === undefined
      ? "The archive ends without tar's end-of-archive marker: it is truncated"
      : `${path} is cut short: the archive is truncated`
  )

/** The files of tar bytes; fails on a bad checksum, a truncated file or text that is not UTF-8. */
export const entriesOf = (tar: Uint8Array): Effect.Effect<ReadonlyArray<ArchiveEntry>, ArchiveUnreadable> =>
  Effect.suspend(() => {
    const entries: Array<ArchiveEntry> = []
    let offset = 0
    for (;;) {
      const record = recordAt(tar, offset)
      if (Either.isLeft(record)) return Effect.fail(record.left)
      switch (record.right._tag) {
        case "End":
          return Effect.succeed(entries)
        case "Short":
          return Effect.fail(truncated(record.right.path))
        case "Record":
          if (record.right.entry !== undefined) entries.push(record.right.entry)
          offset = record.right.next
      }
    }
  })

const mebibytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`

const tooLarge = (limits: UnpackLimits) =>
  new ArchiveTooLarge({
    maxUnpackedBytes: limits.maxUnpackedBytes,
    message: `The archive unpacks to more than ${mebibytes(limits.maxUnpackedBytes)}, the most this server ` +
      "imports (GUILDHALL_IMPORT_MAX_UNPACKED_MIB): it is not an export this server made, or the tenant is " +
      "larger than this install accepts; raise the limit to import it"
  })

const notGzip = () => unreadable("The archive is not gzip-compressed, or its compressed data is damaged")

/**
 * Inflates in zlib's chunks and stops as soon as the output passes the cap
 * (`maxOutputLength`), so a small gzip bomb costs at most the cap, never what it
 * would inflate to.
 */
const gunzipCapped = (bytes: Uint8Array, limits: UnpackLimits) =>
  Effect.tryPromise({
    try: async () => new Uint8Array(await gunzipAsync(bytes, { maxOutputLength: limits.maxUnpackedBytes })),
    catch: (error) => (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" ? tooLarge(limits) : notGzip()
  })

/**
 * The first `count` files, inflating only as far as they reach (and never past the cap): an archive's leading
 * files can be checked before the rest is unpacked.
 */
const leadingEntries = (bytes: Uint8Array, count: number, limits: UnpackLimits) =>
  Effect.async<ReadonlyArray<ArchiveEntry>, ArchiveUnreadable | ArchiveTooLarge>((resume) => {
    const inflate = createGunzip()
    const entries: Array<ArchiveEntry> = []
    let chunks: Array<Uint8Array> = []
    let total = 0
    let offset = 0
    let needed = block
    let done = false
    const finish = (result: Effect.Effect<ReadonlyArray<ArchiveEntry>, ArchiveUnreadable | ArchiveTooLarge>) => {
      if (done) return
      done = true
      inflate.destroy()
      resume(result)
    }
    // Reads every record the bytes so far hold; joins the chunks only when a record's end has arrived.
    const readRecords = (ended: boolean) => {
      while (total >= needed || ended) {
        if (chunks.length > 1) chunks = [Buffer.concat(chunks)]
        const record = recordAt(chunks[0] ?? new Uint8Array(0), offset)
        if (Either.isLeft(record)) return finish(Effect.fail(record.left))
        if (record.right._tag === "End") return finish(Effect.succeed(entries))
        if (record.right._tag === "Short") {
          if (ended) return finish(Effect.fail(truncated(record.right.path)))
          needed = record.right.upTo
          return
        }
        if (record.right.entry !== undefined) entries.push(record.right.entry)
        if (entries.length >= count) return finish(Effect.succeed(entries))
        offset = record.right.next
        needed = offset + block
      }
    }
    inflate.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      total += chunk.length
      if (total > limits.maxUnpackedBytes) return finish(Effect.fail(tooLarge(limits)))
      readRecords(false)
    })
    inflate.on("error", () => finish(Effect.fail(notGzip())))
    inflate.on("end", () => readRecords(true))
    inflate.end(bytes)
    return Effect.sync(() => inflate.destroy())
  })

/** Gzip-compressed ustar (`.tar.gz`). */
export const ArchiveCodecTarGz = Layer.succeed(
  ArchiveCodec,
  ArchiveCodec.of({
    pack: (entries) =>
      Effect.promise(async () => new Uint8Array(await gzipAsync(tarOf(entries)))).pipe(
        Effect.withSpan("archive.pack")
      ),
    unpack: (bytes, limits) =>
      limits.onlyFirst === undefined
        ? gunzipCapped(bytes, limits).pipe(Effect.flatMap(entriesOf))
        : leadingEntries(bytes, limits.onlyFirst, limits)
  })
)
