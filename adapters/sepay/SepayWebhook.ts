import { Clock, Context, DateTime, Effect, Layer, ParseResult, Redacted, Schema } from "effect"
import { createHash, createHmac } from "node:crypto"
import { type BankTransfer, formatIssues, webhookHeader, WebhookRejected } from "../../core/index.js"
import { constantTimeEqual } from "../crypto/index.js"

/**
 * SePay's bank-transfer webhook: authenticate the request with the tenant's
 * credential (an API key, kept only as its SHA-256, or an HMAC secret), then
 * read the payload. Nothing is parsed before the credential checks out.
 */

/** How a tenant's SePay webhook authenticates (from TenantPaymentSettings.sepay). */
export interface SepayWebhookAuth {
  /** SHA-256 hex of the `Authorization: Apikey <key>` key; null when not used. */
  readonly apiKeyHash: string | null
  /** The secret of `X-SePay-Signature`; null when not used. */
  readonly hmacSecret: Redacted.Redacted<string> | null
}

export interface SepayWebhookInput {
  /** The body exactly as received: the HMAC covers these bytes. */
  readonly rawBody: Uint8Array
  /** Request headers (any letter case). */
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly auth: SepayWebhookAuth
}

export interface SepayWebhookService {
  readonly verify: (input: SepayWebhookInput) => Effect.Effect<BankTransfer, WebhookRejected>
}

export class SepayWebhook extends Context.Tag("adapters/sepay/SepayWebhook")<SepayWebhook, SepayWebhookService>() {}

/** How far X-SePay-Timestamp may be from our clock, either way. */
export const SEPAY_TIMESTAMP_TOLERANCE_SECONDS = 300

/** What a tenant's settings store for an API key: SHA-256 hex of the key as SePay sends it. */
export const sepayApiKeyHash = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex")

const rejected = WebhookRejected.by("sepay")

const checkApiKey = (authorization: string, apiKeyHash: string): Effect.Effect<void, WebhookRejected> => {
  const key = /^Apikey\s+(\S+)\s*$/i.exec(authorization)?.[1]
  if (key === undefined) return Effect.fail(rejected("unauthenticated", "Expected `Authorization: Apikey <key>`"))
  const presented = Buffer.from(sepayApiKeyHash(key), "hex")
  const stored = Buffer.from(apiKeyHash.toLowerCase(), "hex")
  return constantTimeEqual(presented, stored)
    ? Effect.void
    : Effect.fail(rejected("unauthenticated", "The API key is not this tenant's SePay webhook key"))
}

const checkSignature = (
  input: SepayWebhookInput,
  secret: Redacted.Redacted<string>
): Effect.Effect<void, WebhookRejected> =>
  Effect.gen(function*() {
    const signature = webhookHeader(input.headers, "x-sepay-signature")
    const timestamp = webhookHeader(input.headers, "x-sepay-timestamp")
    if (signature === undefined || timestamp === undefined) {
      return yield* rejected("unauthenticated", "Expected X-SePay-Signature and X-SePay-Timestamp headers")
    }
    const hex = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim())?.[1]
    if (hex === undefined) return yield* rejected("malformed", "Expected X-SePay-Signature: sha256=<64 hex digits>")
    if (!/^[0-9]{1,12}$/.test(timestamp.trim())) {
      return yield* rejected("malformed", "Expected X-SePay-Timestamp in unix seconds")
    }
    const seconds = Number(timestamp.trim())
    const nowSeconds = (yield* Clock.currentTimeMillis) / 1000
    if (Math.abs(nowSeconds - seconds) > SEPAY_TIMESTAMP_TOLERANCE_SECONDS) {
      return yield* rejected("malformed", "X-SePay-Timestamp is more than 5 minutes from now: refusing a replay")
    }
    const expected = createHmac("sha256", Redacted.value(secret))
      .update(`${timestamp.trim()}.`, "utf8")
      .update(input.rawBody)
      .digest()
    if (!constantTimeEqual(Buffer.from(hex, "hex"), expected)) {
      return yield* rejected("malformed", "X-SePay-Signature does not match the body")
    }
  })

/**
 * API key when the request presents one and the tenant has a key; otherwise
 * the HMAC signature when the tenant has a secret. A request with neither is
 * unauthenticated.
 */
const authenticate = (input: SepayWebhookInput): Effect.Effect<void, WebhookRejected> => {
  const { apiKeyHash, hmacSecret } = input.auth
  const authorization = webhookHeader(input.headers, "authorization")
  if (apiKeyHash !== null && authorization !== undefined) return checkApiKey(authorization, apiKeyHash)
  if (hmacSecret !== null) return checkSignature(input, hmacSecret)
  if (apiKeyHash !== null) return Effect.fail(rejected("unauthenticated", "Expected `Authorization: Apikey <key>`"))
  return Effect.fail(rejected("unauthenticated", "SePay is not configured for this tenant"))
}

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000

/** "YYYY-MM-DD HH:mm:ss" in Vietnam time (UTC+7, no zone written) ⇄ a UTC instant. */
export const VietnamDateTime = Schema.transformOrFail(Schema.String, Schema.DateTimeUtcFromSelf, {
  strict: true,
  decode: (text, _, ast) => {
    const parts = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text)
    if (parts === null) {
      return ParseResult.fail(new ParseResult.Type(ast, text, "Expected a date such as 2026-11-23 14:05:00"))
    }
    const [y, mo, d, h, mi, s] = parts.slice(1).map(Number) as [number, number, number, number, number, number]
    const local = Date.UTC(y, mo - 1, d, h, mi, s)
    const check = new Date(local)
    // Date.UTC rolls 2026-02-30 over to March: a date that does not round-trip does not exist.
    if (
      check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d
      || check.getUTCHours() !== h || check.getUTCMinutes() !== mi || check.getUTCSeconds() !== s
    ) {
      return ParseResult.fail(new ParseResult.Type(ast, text, "Expected a calendar date and time"))
    }
    return ParseResult.succeed(DateTime.unsafeMake(local - VIETNAM_OFFSET_MS))
  },
  encode: (instant) => {
    const local = new Date(DateTime.toEpochMillis(instant) + VIETNAM_OFFSET_MS).toISOString()
    return ParseResult.succeed(`${local.slice(0, 10)} ${local.slice(11, 19)}`)
  }
})

/** SePay's webhook body (fields we do not use are left out; unknown ones are ignored). */
const SepayPayload = Schema.Struct({
  id: Schema.Union(Schema.Int.pipe(Schema.nonNegative()), Schema.NonEmptyTrimmedString),
  gateway: Schema.String,
  transactionDate: VietnamDateTime,
  accountNumber: Schema.NonEmptyTrimmedString,
  code: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  content: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  transferType: Schema.Literal("in", "out"),
  transferAmount: Schema.Int.pipe(Schema.nonNegative()),
  referenceCode: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
})

const decodePayload = Schema.decodeUnknown(Schema.parseJson(SepayPayload), { onExcessProperty: "ignore" })

const readTransfer = (rawBody: Uint8Array): Effect.Effect<BankTransfer, WebhookRejected> =>
  Effect.try({
    try: () => new TextDecoder("utf-8", { fatal: true }).decode(rawBody),
    catch: () => rejected("malformed", "The body is not UTF-8")
  }).pipe(
    Effect.flatMap((text) =>
      decodePayload(text).pipe(
        Effect.mapError((error) => rejected("malformed", `Not a SePay transfer: ${formatIssues(error)}`))
      )
    ),
    Effect.map((payload): BankTransfer => ({
      id: String(payload.id),
      gateway: payload.gateway,
      occurredAt: payload.transactionDate,
      accountNumber: payload.accountNumber,
      code: payload.code === null || payload.code.trim() === "" ? null : payload.code,
      content: payload.content ?? "",
      direction: payload.transferType,
      amount: payload.transferAmount,
      referenceCode: payload.referenceCode
    }))
  )

export const makeSepayWebhook: SepayWebhookService = {
  verify: (input) => authenticate(input).pipe(Effect.zipRight(readTransfer(input.rawBody)))
}

export const SepayWebhookLive = Layer.succeed(SepayWebhook, makeSepayWebhook)
