import { Schema } from "effect"
import type { WebhookReceipt } from "../ports/BillingLedger.js"
import type { BillingEvent } from "./BillingEvent.js"

/**
 * A webhook that failed verification: nothing is written and the provider is
 * told why. `unauthenticated` (401) is a missing or wrong credential,
 * `malformed` (400) a signature that does not match, a stale timestamp or a
 * body that is not the provider's format.
 */
export class WebhookRejected extends Schema.TaggedError<WebhookRejected>()("WebhookRejected", {
  provider: Schema.Literal("stripe", "polar", "sepay"),
  reason: Schema.Literal("unauthenticated", "malformed"),
  message: Schema.String
}) {
  /** The rejections of one provider's webhook. */
  static by(provider: WebhookRejected["provider"]) {
    return (reason: WebhookRejected["reason"], message: string) => new WebhookRejected({ provider, reason, message })
  }
}

/** A request header by its lower-case name, whatever letter case it arrived in (header names are case-insensitive). */
export const webhookHeader = (
  headers: Readonly<Record<string, string | undefined>>,
  name: string
): string | undefined => {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && value !== undefined) return value
  }
  return undefined
}

/** A verified webhook, as the provider adapter understood it. */
export type VerifiedWebhook =
  /** An event the subscription state machine applies. */
  | { readonly _tag: "Event"; readonly receipt: WebhookReceipt; readonly event: BillingEvent }
  /** Verified, but nothing to do (an unknown or irrelevant type): recorded and acknowledged. */
  | { readonly _tag: "Ignored"; readonly receipt: WebhookReceipt; readonly reason: string }
