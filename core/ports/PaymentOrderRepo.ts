import { Context, type DateTime, type Effect, type Option } from "effect"
import type { TenantId } from "../ids.js"
import type { HeldTransfer, HeldTransferStatus } from "../payments/HeldTransfer.js"
import type { PaymentOrder, PaymentOrderStatus } from "../payments/PaymentOrder.js"

export interface OrderSettlement {
  readonly status: Exclude<PaymentOrderStatus, "pending">
  readonly receivedMinor: number
  readonly overpaidMinor: number
  readonly transactionId: string | null
  readonly settledAt: DateTime.Utc
}

/** What the settlement was decided from: it is written only if the order is still so. */
export interface OrderExpectation {
  readonly status: "pending" | "underpaid"
  readonly receivedMinor: number
}

export interface HeldTransferResolution {
  readonly status: Exclude<HeldTransferStatus, "held">
  readonly resolvedAt: DateTime.Utc
  readonly resolvedBy: string
}

export interface PaymentOrderRepoService {
  /** Fails with "code_taken" when the tenant already has an order with this code (the caller draws another). */
  readonly insert: (order: PaymentOrder) => Effect.Effect<"inserted" | "code_taken">
  /** By payment code, case-insensitively. */
  readonly findByCode: (tenantId: TenantId, code: string) => Effect.Effect<Option.Option<PaymentOrder>>
  readonly find: (tenantId: TenantId, id: string) => Effect.Effect<Option.Option<PaymentOrder>>
  /**
   * Settles an order that is still as `expected` (pending, or underpaid with that much received); false (and
   * nothing written) when it changed since.
   */
  readonly settle: (
    tenantId: TenantId,
    id: string,
    expected: OrderExpectation,
    settlement: OrderSettlement
  ) => Effect.Effect<boolean>
  /** The tenant's underpaid orders (all tenants' with None), oldest settlement first. */
  readonly listUnderpaid: (
    tenantId: Option.Option<TenantId>,
    options: { readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<PaymentOrder>>
  /** Holds a transfer; a second hold of the same transaction changes nothing. */
  readonly hold: (transfer: HeldTransfer) => Effect.Effect<void>
  readonly findHeld: (tenantId: TenantId, transactionId: string) => Effect.Effect<Option.Option<HeldTransfer>>
  /** Transfers still held for the tenant (all tenants' with None), oldest first. */
  readonly listHeld: (
    tenantId: Option.Option<TenantId>,
    options: { readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<HeldTransfer>>
  /** Resolves a transfer still held; false (and nothing written) when it was not. */
  readonly resolveHeld: (
    tenantId: TenantId,
    transactionId: string,
    resolution: HeldTransferResolution
  ) => Effect.Effect<boolean>
  /** How many orders the tenant has created: the round_robin strategy's counter. */
  readonly count: (tenantId: TenantId) => Effect.Effect<number>
}

export class PaymentOrderRepo extends Context.Tag("core/PaymentOrderRepo")<
  PaymentOrderRepo,
  PaymentOrderRepoService
>() {}
