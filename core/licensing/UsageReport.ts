import { Either, Encoding, Schema } from "effect"
import { canonicalJson } from "../bot/DiscordCommandJson.js"
import { TenantId } from "../ids.js"
import type { SignatureVerifierService } from "../ports/LicenseSigning.js"
import { InstallFingerprint, LicenseId } from "./License.js"

/**
 * Usage reports (ADR 082): a self-host install tells the license server what
 * it used, per hashed guild, day and meter, in batches it signs with its own
 * Ed25519 report key and numbers 1, 2, 3… per license; the server takes only
 * the next number.
 */

/** Names what a batch signature covers, so nothing else signed with the install's key can pass for a batch. */
const batchContext = "guildhall-usage/1"

/** A UTC day, YYYY-MM-DD. */
export const UsageDay = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, { message: () => "Expected a UTC day as YYYY-MM-DD" })
)

/** One figure: how much of `meter` a guild (hashed) used on `day`. */
export const UsageEntry = Schema.Struct({
  /** HMAC-SHA256 of the guild id under the install's secret (`hashUsageId`): stable per install, not reversible. */
  guild: Schema.String.pipe(Schema.maxLength(64)),
  day: UsageDay,
  meter: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128)),
  amount: Schema.Int.pipe(Schema.nonNegative())
})
export type UsageEntry = typeof UsageEntry.Type

/** The most entries one batch may carry (a day of a few hundred guilds and meters fits many times over). */
export const maxUsageEntries = 10_000

/** What an install reports for one period, signed as a whole. */
export class UsageBatch extends Schema.Class<UsageBatch>("UsageBatch")({
  licenseId: LicenseId,
  fingerprint: InstallFingerprint,
  /** 1, 2, 3… per license and install: the server takes only the one after the last it took. */
  sequence: Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)),
  /** The days covered, both included. */
  periodStart: UsageDay,
  periodEnd: UsageDay,
  entries: Schema.Array(UsageEntry).pipe(Schema.maxItems(maxUsageEntries))
}) {}

/** A batch as it travels: the canonical JSON (base64url) and the install's signature of it. */
export const SignedUsageBatch = Schema.Struct({
  /** base64url of the batch's canonical JSON. */
  batch: Schema.String.pipe(Schema.maxLength(4_000_000)),
  /** base64url Ed25519 signature of `guildhall-usage/1.<batch>` with the install's report key. */
  signature: Schema.String.pipe(Schema.maxLength(200))
})
export type SignedUsageBatch = typeof SignedUsageBatch.Type

/** A batch the server took, as the operator lists it. */
export class UsageReport extends Schema.Class<UsageReport>("UsageReport")({
  tenantId: TenantId,
  licenseId: LicenseId,
  fingerprint: InstallFingerprint,
  sequence: Schema.Int,
  periodStart: UsageDay,
  periodEnd: UsageDay,
  entries: Schema.Array(UsageEntry),
  receivedAt: Schema.DateTimeUtc
}) {}

/** What the server answers a batch it took. */
export const UsageReceipt = Schema.Struct({ sequence: Schema.Int, receivedAt: Schema.DateTimeUtc })
  .annotations({ identifier: "UsageReceipt" })
export type UsageReceipt = typeof UsageReceipt.Type

/** REPLAYED: the sequence was already taken. GAP: a sequence before it is missing; `expectedSequence` is the next one. */
export class UsageReportConflict extends Schema.TaggedError<UsageReportConflict>()("UsageReportConflict", {
  code: Schema.Literal("REPLAYED", "GAP"),
  expectedSequence: Schema.Int,
  message: Schema.String
}) {
  static replayed(sequence: number, expectedSequence: number) {
    return new UsageReportConflict({
      code: "REPLAYED",
      expectedSequence,
      message: `Usage batch ${sequence} was already received; the next one expected is ${expectedSequence}`
    })
  }
  static gap(sequence: number, expectedSequence: number) {
    return new UsageReportConflict({
      code: "GAP",
      expectedSequence,
      message: `Usage batch ${sequence} leaves a gap: the next one expected is ${expectedSequence}`
    })
  }
}

/** The batch is not signed by the report key the install registered when it activated. */
export class UsageReportBadSignature extends Schema.TaggedError<UsageReportBadSignature>()(
  "UsageReportBadSignature",
  { code: Schema.Literal("BAD_SIGNATURE"), message: Schema.String }
) {
  static of() {
    return new UsageReportBadSignature({
      code: "BAD_SIGNATURE",
      message: "The usage batch's signature does not match the install's report key: it was altered or forged"
    })
  }
}

/** No install of that license with that fingerprint registered a report key (it never activated with one). */
export class UsageReportNotActivated extends Schema.TaggedError<UsageReportNotActivated>()(
  "UsageReportNotActivated",
  { code: Schema.Literal("NOT_ACTIVATED"), message: Schema.String }
) {
  static of() {
    return new UsageReportNotActivated({
      code: "NOT_ACTIVATED",
      message: "No activation of this license by this install has a report key: activate or refresh first"
    })
  }
}

export type UsageReportRefusal = UsageReportConflict | UsageReportBadSignature | UsageReportNotActivated

const signedMessage = (segment: string) => `${batchContext}.${segment}`
const encodeBatch = Schema.encodeSync(UsageBatch)
const decodeBatchJson = Schema.decodeUnknownEither(Schema.parseJson(UsageBatch))

export const UsageBatches = {
  /** The batch signed: canonical JSON, so the same batch always signs the same bytes (a resend is identical). */
  sign: (sign: (message: string) => string, batch: UsageBatch): SignedUsageBatch => {
    const segment = Encoding.encodeBase64Url(canonicalJson(encodeBatch(batch)))
    return { batch: segment, signature: sign(signedMessage(segment)) }
  },
  /** The batch a signed one carries, not yet verified (the server needs its license and install to find the key). */
  read: (signed: SignedUsageBatch): Either.Either<UsageBatch, string> =>
    Either.mapLeft(
      Either.flatMap(
        Either.mapLeft(Encoding.decodeBase64UrlString(signed.batch), () => "not base64url"),
        (text) => Either.mapLeft(decodeBatchJson(text), (error) => error.message)
      ),
      (why) => `The usage batch cannot be read: ${why}`
    ),
  /** Whether `publicKey` signed the batch. Never throws. */
  verify: (signed: SignedUsageBatch, publicKey: string, verifier: SignatureVerifierService): boolean =>
    verifier.verify(publicKey, signedMessage(signed.batch), signed.signature)
}

/**
 * A guild or user id as reports carry it: HMAC-SHA256 under the install's
 * secret (kept by the install, never sent), so the operator can count
 * distinct ids per install and follow one across batches without learning
 * it, and the same id at two installs hashes differently.
 */
export const hashUsageId = (
  hmacSha256: (key: string, message: string) => string,
  secret: string,
  kind: "guild" | "user",
  id: string
): string => hmacSha256(secret, `${batchContext}:${kind}:${id}`)

/** An install's report public key as activate/refresh carry it: a raw 32-byte Ed25519 key, base64url. */
export const ReportPublicKey = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{43}$/, {
    message: () => "reportKey: the install's Ed25519 report public key, 32 bytes base64url (43 characters)"
  })
)
