import { Effect, Layer, Option } from "effect"
import { HeldTransfer, PaymentOrder, PaymentOrderRepo, type TenantId } from "../../core/index.js"
import { compareCodeUnits } from "./ordering.js"

/**
 * PaymentOrderRepo in memory, with a store of its own (no guild foreign key
 * is checked). Codes are unique per tenant case-insensitively, like the SQL
 * index on upper(code). Every method is one synchronous step, so each is atomic.
 */
export const PaymentOrderRepoMemory = Layer.sync(PaymentOrderRepo, () => {
  const orders = new Map<string, PaymentOrder>()
  /** `${tenantId}/${transactionId}` -> held transfer. */
  const held = new Map<string, HeldTransfer>()
  const ofTenant = (tenantId: Option.Option<TenantId>) => (row: { readonly tenantId: TenantId }) =>
    Option.match(tenantId, { onNone: () => true, onSome: (id) => row.tenantId === id })
  /** `${tenantId}/${upper(code)}` -> order id. */
  const codes = new Map<string, string>()
  const orderKey = (tenantId: string, id: string) => `${tenantId}/${id.toLowerCase()}`
  const codeKey = (tenantId: string, code: string) => `${tenantId}/${code.toUpperCase()}`

  return PaymentOrderRepo.of({
    insert: (order) =>
      Effect.sync(() => {
        const key = orderKey(order.tenantId, order.id)
        if (orders.has(key)) throw new Error(`payment order ${order.id} already exists`)
        if (codes.has(codeKey(order.tenantId, order.code))) return "code_taken" as const
        orders.set(key, order)
        codes.set(codeKey(order.tenantId, order.code), key)
        return "inserted" as const
      }),
    findByCode: (tenantId, code) =>
      Effect.sync(() => {
        const key = codes.get(codeKey(tenantId, code))
        return Option.fromNullable(key === undefined ? undefined : orders.get(key))
      }),
    find: (tenantId, id) => Effect.sync(() => Option.fromNullable(orders.get(orderKey(tenantId, id)))),
    settle: (tenantId, id, expected, settlement) =>
      Effect.sync(() => {
        const key = orderKey(tenantId, id)
        const order = orders.get(key)
        if (
          order === undefined || order.status !== expected.status || order.receivedMinor !== expected.receivedMinor
        ) return false
        orders.set(key, PaymentOrder.make({ ...order, ...settlement }))
        return true
      }),
    listUnderpaid: (tenantId, { limit }) =>
      Effect.sync(() =>
        Array.from(orders.values())
          .filter((order) => order.status === "underpaid" && ofTenant(tenantId)(order))
          .sort((a, b) =>
            (a.settledAt?.epochMillis ?? 0) - (b.settledAt?.epochMillis ?? 0) || compareCodeUnits(a.id, b.id)
          )
          .slice(0, limit)
      ),
    hold: (transfer) =>
      Effect.sync(() => {
        const key = `${transfer.tenantId}/${transfer.transactionId}`
        if (!held.has(key)) held.set(key, transfer)
      }),
    findHeld: (tenantId, transactionId) =>
      Effect.sync(() => Option.fromNullable(held.get(`${tenantId}/${transactionId}`))),
    listHeld: (tenantId, { limit }) =>
      Effect.sync(() =>
        Array.from(held.values())
          .filter((transfer) => transfer.status === "held" && ofTenant(tenantId)(transfer))
          .sort((a, b) =>
            a.heldAt.epochMillis - b.heldAt.epochMillis || compareCodeUnits(a.transactionId, b.transactionId)
          )
          .slice(0, limit)
      ),
    resolveHeld: (tenantId, transactionId, resolution) =>
      Effect.sync(() => {
        const key = `${tenantId}/${transactionId}`
        const transfer = held.get(key)
        if (transfer === undefined || transfer.status !== "held") return false
        held.set(key, HeldTransfer.make({ ...transfer, ...resolution }))
        return true
      }),
    count: (tenantId) =>
      Effect.sync(() => Array.from(orders.values()).filter((order) => order.tenantId === tenantId).length)
  })
})
