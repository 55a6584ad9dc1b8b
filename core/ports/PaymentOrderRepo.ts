import { Context, type DateTime, type Effect, type Option } from "effect"
import type { TenantId } from "../ids.js"
import type { PaymentOrder, PaymentOrderStatus } from "../payments/PaymentOrder.js"

export interface OrderSettlement {
  readonly status: Exclude<PaymentOrderStatus, "pending">
  readonly receivedMinor: number
  readonly overpaidMinor: number
  readonly transactionId: string | null
  readonly settledAt: DateTime.Utc
}

export interface PaymentOrderRepoService {
  /** Fails with "code_taken" when the tenant already has an order with this code (the caller draws another). */
  readonly insert: (order: PaymentOrder) => Effect.Effect<"inserted" | "code_taken">
  /** By payment code, case-insensitively. */
  readonly findByCode: (tenantId: TenantId, code: string) => Effect.Effect<Option.Option<PaymentOrder>>
  readonly find: (tenantId: TenantId, id: string) => Effect.Effect<Option.Option<PaymentOrder>>
  /** Settles a pending order; false (and nothing written) when it was no longer pending. */
  readonly settle: (tenantId: TenantId, id: string, settlement: OrderSettlement) => Effect.Effect<boolean>
  /** How many orders the tenant has created: the round_robin strategy's counter. */
  readonly count: (tenantId: TenantId) => Effect.Effect<number>
}

export class PaymentOrderRepo extends Context.Tag("core/PaymentOrderRepo")<
  PaymentOrderRepo,
  PaymentOrderRepoService
>() {}
