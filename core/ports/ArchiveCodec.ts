import { Context, type Effect, Schema } from "effect"

/** One file inside an archive. */
export interface ArchiveEntry {
  readonly path: string
  readonly content: string
}

/** The bytes are not an archive this codec reads (truncated, not gzip, not tar). */
export class ArchiveUnreadable extends Schema.TaggedError<ArchiveUnreadable>()("ArchiveUnreadable", {
  message: Schema.String
}) {}

/** Packs files into one byte string and back (gzip-compressed tar in production). */
export interface ArchiveCodecService {
  readonly pack: (entries: ReadonlyArray<ArchiveEntry>) => Effect.Effect<Uint8Array>
  readonly unpack: (bytes: Uint8Array) => Effect.Effect<ReadonlyArray<ArchiveEntry>, ArchiveUnreadable>
}

export class ArchiveCodec extends Context.Tag("core/ArchiveCodec")<ArchiveCodec, ArchiveCodecService>() {}
