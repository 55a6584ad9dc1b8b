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

/** The bytes unpack to more than the caller allows: a compression bomb, or an archive too large for this install. */
export class ArchiveTooLarge extends Schema.TaggedError<ArchiveTooLarge>()("ArchiveTooLarge", {
  maxUnpackedBytes: Schema.Number,
  message: Schema.String
}) {}

export interface UnpackLimits {
  /** Unpacking stops, and fails, as soon as its output passes this many bytes. */
  readonly maxUnpackedBytes: number
  /** Only the first this many files, unpacking no further than they reach (to check them before the rest). */
  readonly onlyFirst?: number
}

/** Packs files into one byte string and back (gzip-compressed tar in production). */
export interface ArchiveCodecService {
  readonly pack: (entries: ReadonlyArray<ArchiveEntry>) => Effect.Effect<Uint8Array>
  readonly unpack: (
    bytes: Uint8Array,
    limits: UnpackLimits
  ) => Effect.Effect<ReadonlyArray<ArchiveEntry>, ArchiveUnreadable | ArchiveTooLarge>
}

export class ArchiveCodec extends Context.Tag("core/ArchiveCodec")<ArchiveCodec, ArchiveCodecService>() {}
