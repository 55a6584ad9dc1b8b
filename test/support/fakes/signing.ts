import { createHmac, randomUUID } from "node:crypto"

/**
 * Signers producing the headers the providers send, for tests that must pass
 * (or fail) real verification.
 */

/**
 * Polar's Standard Webhooks headers: `webhook-signature: v1,<base64 HMAC-SHA256
 * of "${id}.${timestamp}.${body}">`, keyed with the UTF-8 bytes of the secret
 * Polar shows (Polar's server hands Standard Webhooks base64(secret), which
 * decodes back to those bytes).
 */
export const signPolarWebhook = (options: {
  readonly secret: string
  readonly body: string
  readonly id?: string
  /** Unix seconds; defaults to the wall clock (the SDK checks against Date.now()). */
  readonly timestamp?: number
}): Record<string, string> => {
  const id = options.id ?? `msg_${randomUUID()}`
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
  const signature = createHmac("sha256", Buffer.from(options.secret, "utf8"))
    .update(`${id}.${timestamp}.${options.body}`, "utf8")
    .digest("base64")
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${signature}`
  }
}

/** SePay's HMAC headers: `X-SePay-Signature: sha256=<hex of HMAC(secret, "${timestamp}.${body}")>`. */
export const signSepayWebhook = (options: {
  readonly secret: string
  readonly body: string
  /** Unix seconds. */
  readonly timestamp: number
}): Record<string, string> => ({
  "X-SePay-Signature": `sha256=${
    createHmac("sha256", options.secret).update(`${options.timestamp}.${options.body}`, "utf8").digest("hex")
  }`,
  "X-SePay-Timestamp": String(options.timestamp)
})

/** SePay's API-key header. */
export const sepayApiKeyHeader = (key: string): Record<string, string> => ({ Authorization: `Apikey ${key}` })
