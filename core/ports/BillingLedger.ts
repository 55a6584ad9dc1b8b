import { Context, type DateTime, type Effect, type Option } from "effect"
import type { BillingProvider } from "../billing/BillingEvent.js"
import type { BillingSubject } from "../billing/BillingSubject.js"
import type { SubscriptionState, SubscriptionStatus, Transition } from "../billing/SubscriptionState.js"
import type { GuildId, TenantId, UserId } from "../ids.js"
import type { JobSpec } from "./Jobs.js"

/** A webhook as received, kept whole (raw body) whatever became of it. */
export interface WebhookReceipt {
  readonly provider: BillingProvider
  /** Unique per provider; a second receipt with the same id is a duplicate. */
  readonly providerEventId: string
  /** The provider's event type as sent (customer.subscription.updated, order.paid, in, ...). */
  readonly type: string
  /** The tenant the event concerns; null when it names none (an ignored operator-account event). */
  readonly tenantId: TenantId | null
  /** The raw body exactly as received. */
  readonly payload: string
  readonly receivedAt: DateTime.Utc
}

/** What became of a receipt: applied to a subscription, or recorded only (and why). */
export type ReceiptOutcome = "applied" | "ignored" | "held_for_review"

/**
 * What `decide` is given beside the subscription's state, read in the same
 * transaction (ADR 054: the dunning policy's input costs no transaction of its own).
 */
export interface DecideContext {
  /**
   * The grace days of the subject's paid role, when the subject is a member's
   * role and that role is (still) configured as paid; None otherwise.
   */
  readonly paidRoleGraceDays: Option.Option<number>
}

export interface RecordRequest {
  readonly receipt: WebhookReceipt
  readonly outcome: ReceiptOutcome
  /** Why a receipt was only recorded (unknown type, underpayment, no matching order); null when applied. */
  readonly note: string | null
  /** The subscription to run the event through; None when the receipt is only recorded. */
  readonly transition: Option.Option<{
    readonly subject: BillingSubject
    /**
     * Pure: from the subscription's current state (None if new) to the next one and its jobs. A store may
     * call it more than once (ahead of reading the state, as if the subscription were new); it stores only
     * the result for the state and context it read.
     */
    readonly decide: (current: Option.Option<SubscriptionState>, context: DecideContext) => {
      readonly transition: Transition
      readonly jobs: ReadonlyArray<JobSpec>
    }
  }>
  /** More jobs to enqueue with the rest (settling a SePay order, say). */
  readonly jobs: ReadonlyArray<JobSpec>
}

export interface SubscriptionFilter {
  readonly status?: ReadonlyArray<SubscriptionStatus>
  readonly guildId?: GuildId
  readonly userId?: UserId
  readonly limit: number
}

export interface StoredReceipt {
  readonly provider: BillingProvider
  readonly providerEventId: string
  readonly type: string
  readonly tenantId: TenantId | null
  readonly outcome: ReceiptOutcome
  readonly note: string | null
  readonly receivedAt: DateTime.Utc
}

/** Where a page of receipts ends: the last one shown (the listing's order is newest first, ties by key). */
export interface ReceiptCursor {
  readonly receivedAt: DateTime.Utc
  readonly provider: BillingProvider
  readonly providerEventId: string
}

/** A receipt that names no tenant, with its raw body: only the operator can tell what it was. */
export interface TenantlessReceipt extends StoredReceipt {
  readonly payload: string
}

/**
 * Where payment events and subscription states are kept. `record` is the
 * webhook's one transaction: the receipt (unique per provider and event id),
 * the subscription's new state (its row locked while deciding) and the jobs
 * that carry out the effects are written together or not at all.
 */
export interface BillingLedgerService {
  /** "duplicate" when the receipt was seen before: then nothing is written. */
  readonly record: (request: RecordRequest) => Effect.Effect<"recorded" | "duplicate">
  readonly findSubscription: (
    tenantId: TenantId,
    subjectKey: string
  ) => Effect.Effect<Option.Option<SubscriptionState>>
  readonly listSubscriptions: (
    tenantId: TenantId,
    filter: SubscriptionFilter
  ) => Effect.Effect<ReadonlyArray<SubscriptionState>>
  /** Receipts for one tenant, newest first (support: "did the webhook arrive?"). */
  readonly listReceipts: (
    tenantId: TenantId,
    options: { readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<StoredReceipt>>
  /**
   * Receipts that name no tenant (an event of a type no tenant's state depends on, a live-mode mismatch),
   * newest first; with `after`, those that come after that one in this order.
   */
  readonly listTenantlessReceipts: (
    options: { readonly limit: number; readonly after: Option.Option<ReceiptCursor> }
  ) => Effect.Effect<ReadonlyArray<TenantlessReceipt>>
}

export class BillingLedger extends Context.Tag("core/BillingLedger")<BillingLedger, BillingLedgerService>() {}
