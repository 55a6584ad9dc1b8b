import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Redacted, TestClock } from "effect"
import { sepayApiKeyHash, SepayWebhook, type SepayWebhookAuth, SepayWebhookLive } from "../../adapters/sepay/index.js"
import { sepayApiKeyHeader, signSepayWebhook } from "../support/fakes/signing.js"

const encoder = new TextEncoder()
const now = DateTime.unsafeMake("2026-11-23T07:00:00Z")
const nowSeconds = Math.floor(DateTime.toEpochMillis(now) / 1000)

const payload = {
  id: 92704,
  gateway: "MBBank",
  transactionDate: "2026-11-23 14:02:37",
  accountNumber: "0123499999",
  code: "GHAB12CD34",
  content: "GHAB12CD34 chuyen tien",
  transferType: "in",
  transferAmount: 50000,
  accumulated: 19077000,
  subAccount: null,
  referenceCode: "MBVCB.3278907687",
  description: "BankAPINotify GHAB12CD34 chuyen tien"
}
const body = JSON.stringify(payload)

const API_KEY = "sepay-key-7f3a9c"
const SECRET = "sepay-hmac-secret-1d4e"
const apiKeyAuth: SepayWebhookAuth = { apiKeyHash: sepayApiKeyHash(API_KEY), hmacSecret: null }
const hmacAuth: SepayWebhookAuth = { apiKeyHash: null, hmacSecret: Redacted.make(SECRET) }

const verify = (rawBody: string, headers: Record<string, string | undefined>, auth: SepayWebhookAuth) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(DateTime.toEpochMillis(now))
    const webhook = yield* SepayWebhook
    return yield* webhook.verify({ rawBody: encoder.encode(rawBody), headers, auth })
  }).pipe(Effect.provide(SepayWebhookLive))

const rejection = (rawBody: string, headers: Record<string, string | undefined>, auth: SepayWebhookAuth) =>
  Effect.flip(verify(rawBody, headers, auth))

describe("SepayWebhook", () => {
  describe("API key", () => {
    it.effect("accepts the tenant's key and normalizes the transfer", () =>
      Effect.gen(function*() {
        const transfer = yield* verify(body, sepayApiKeyHeader(API_KEY), apiKeyAuth)
        expect(transfer).toMatchObject({
          id: "92704",
          gateway: "MBBank",
          accountNumber: "0123499999",
          code: "GHAB12CD34",
          content: "GHAB12CD34 chuyen tien",
          direction: "in",
          amount: 50000,
          referenceCode: "MBVCB.3278907687"
        })
        // 14:02:37 in Vietnam is 07:02:37 UTC.
        expect(DateTime.formatIso(transfer.occurredAt)).toBe("2026-11-23T07:02:37.000Z")
      }))

    it.effect("stores only a SHA-256 of the key", () =>
      Effect.sync(() => {
        expect(sepayApiKeyHash(API_KEY)).toMatch(/^[0-9a-f]{64}$/)
        expect(sepayApiKeyHash(API_KEY)).not.toContain(API_KEY)
      }))

    it.effect("refuses a wrong key as unauthenticated", () =>
      Effect.gen(function*() {
        const error = yield* rejection(body, sepayApiKeyHeader("sepay-key-7f3a9d"), apiKeyAuth)
        expect(error).toMatchObject({ _tag: "WebhookRejected", provider: "sepay", reason: "unauthenticated" })
      }))

    it.effect("refuses a missing or non-Apikey Authorization header as unauthenticated", () =>
      Effect.gen(function*() {
        expect((yield* rejection(body, {}, apiKeyAuth)).reason).toBe("unauthenticated")
        expect((yield* rejection(body, { authorization: `Bearer ${API_KEY}` }, apiKeyAuth)).reason).toBe(
          "unauthenticated"
        )
      }))

    it.effect("reads the header in any letter case", () =>
      Effect.gen(function*() {
        const transfer = yield* verify(body, { authorization: `apikey ${API_KEY}` }, apiKeyAuth)
        expect(transfer.id).toBe("92704")
      }))
  })

  describe("HMAC signature", () => {
    it.effect("accepts a body signed with the tenant's secret", () =>
      Effect.gen(function*() {
        const transfer = yield* verify(
          body,
          signSepayWebhook({ secret: SECRET, body, timestamp: nowSeconds }),
          hmacAuth
        )
        expect(transfer.amount).toBe(50000)
      }))

    it.effect("refuses a tampered body", () =>
      Effect.gen(function*() {
        const headers = signSepayWebhook({ secret: SECRET, body, timestamp: nowSeconds })
        const tampered = body.replace("50000", "5000000")
        expect(yield* rejection(tampered, headers, hmacAuth)).toMatchObject({ reason: "malformed" })
      }))

    it.effect("refuses a signature made with another secret", () =>
      Effect.gen(function*() {
        const headers = signSepayWebhook({ secret: "someone-else", body, timestamp: nowSeconds })
        expect((yield* rejection(body, headers, hmacAuth)).reason).toBe("malformed")
      }))

    it.effect("refuses timestamps more than 5 minutes old or ahead, accepts up to 5 minutes", () =>
      Effect.gen(function*() {
        for (const drift of [-301, 301, -3600, 86400]) {
          const headers = signSepayWebhook({ secret: SECRET, body, timestamp: nowSeconds + drift })
          const error = yield* rejection(body, headers, hmacAuth)
          expect(error.reason).toBe("malformed")
          expect(error.message).toContain("5 minutes")
        }
        for (const drift of [-300, 300]) {
          yield* verify(body, signSepayWebhook({ secret: SECRET, body, timestamp: nowSeconds + drift }), hmacAuth)
        }
      }))

    it.effect("refuses a timestamp changed after signing", () =>
      Effect.gen(function*() {
        const headers = signSepayWebhook({ secret: SECRET, body, timestamp: nowSeconds })
        const error = yield* rejection(body, { ...headers, "X-SePay-Timestamp": String(nowSeconds + 1) }, hmacAuth)
        expect(error.reason).toBe("malformed")
      }))

    it.effect("refuses missing signature headers as unauthenticated", () =>
      Effect.gen(function*() {
        const headers = signSepayWebhook({ secret: SECRET, body, timestamp: nowSeconds })
        expect((yield* rejection(body, {}, hmacAuth)).reason).toBe("unauthenticated")
        expect((yield* rejection(body, { "X-SePay-Signature": headers["X-SePay-Signature"] }, hmacAuth)).reason)
          .toBe("unauthenticated")
        // An API key is no substitute when the tenant signs with HMAC.
        expect((yield* rejection(body, sepayApiKeyHeader(API_KEY), hmacAuth)).reason).toBe("unauthenticated")
      }))

    it.effect("refuses a signature that is not sha256=<hex>", () =>
      Effect.gen(function*() {
        const error = yield* rejection(
          body,
          { "X-SePay-Signature": "v1,abc", "X-SePay-Timestamp": String(nowSeconds) },
          hmacAuth
        )
        expect(error.reason).toBe("malformed")
      }))
  })

  it.effect("refuses everything when the tenant has no SePay credential", () =>
    Effect.gen(function*() {
      const error = yield* rejection(body, sepayApiKeyHeader(API_KEY), { apiKeyHash: null, hmacSecret: null })
      expect(error.reason).toBe("unauthenticated")
    }))

  describe("payload", () => {
    const signed = (raw: string) =>
      verify(raw, signSepayWebhook({ secret: SECRET, body: raw, timestamp: nowSeconds }), hmacAuth)

    it.effect("an authenticated body that is not a SePay transfer is malformed", () =>
      Effect.gen(function*() {
        for (
          const raw of [
            "not json",
            "{}",
            JSON.stringify({ ...payload, transferType: "sideways" }),
            JSON.stringify({ ...payload, transferAmount: -5 }),
            JSON.stringify({ ...payload, transactionDate: "2026-11-23T14:02:37Z" }),
            JSON.stringify({ ...payload, transactionDate: "2026-02-30 10:00:00" })
          ]
        ) {
          const error = yield* Effect.flip(signed(raw))
          expect(error).toMatchObject({ _tag: "WebhookRejected", reason: "malformed" })
        }
      }))

    it.effect("reads transactionDate as Vietnam time, across midnight and month ends", () =>
      Effect.gen(function*() {
        const at = (transactionDate: string) =>
          signed(JSON.stringify({ ...payload, transactionDate })).pipe(
            Effect.map((transfer) => DateTime.formatIso(transfer.occurredAt))
          )
        expect(yield* at("2026-11-23 06:59:59")).toBe("2026-11-22T23:59:59.000Z")
        expect(yield* at("2026-12-01 00:30:00")).toBe("2026-11-30T17:30:00.000Z")
        expect(yield* at("2027-01-01 07:00:00")).toBe("2027-01-01T00:00:00.000Z")
      }))

    it.effect("a null or blank code is null, optional fields may be absent, and a string id is kept", () =>
      Effect.gen(function*() {
        const { accumulated: _a, subAccount: _s, referenceCode: _r, description: _d, ...minimal } = payload
        const transfer = yield* signed(JSON.stringify({ ...minimal, id: "tx-1", code: null, transferType: "out" }))
        expect(transfer).toMatchObject({ id: "tx-1", code: null, direction: "out", referenceCode: null })
        const blank = yield* signed(JSON.stringify({ ...payload, code: "" }))
        expect(blank.code).toBeNull()
      }))
  })
})
