import type { DateTime } from "effect"

/** A bank transfer SePay reported, normalized (the webhook's id is the dedupe key). */
export interface BankTransfer {
  /** SePay's transaction id. */
  readonly id: string
  readonly gateway: string
  /** transactionDate, read as Vietnam time (UTC+7). */
  readonly occurredAt: DateTime.Utc
  readonly accountNumber: string
  /** The payment code SePay extracted from the content; null when it found none. */
  readonly code: string | null
  readonly content: string
  readonly direction: "in" | "out"
  /** In VND (no minor unit). */
  readonly amount: number
  readonly referenceCode: string | null
}
