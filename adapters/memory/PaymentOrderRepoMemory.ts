import { Effect, Layer, Option } from "effect"
import { PaymentOrder, PaymentOrderRepo } from "../../core/index.js"

/**
 * PaymentOrderRepo in memory, with a store of its own (no guild foreign key
 * is checked). Codes are unique per tenant case-insensitively, like the SQL
 * index on upper(code). Every method is one synchronous step, so each is atomic.
 */
export const PaymentOrderRepoMemory = Layer.sync(PaymentOrderRepo, () => {
  const orders = new Map<string, PaymentOrder>()
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
    settle: (tenantId, id, settlement) =>
      Effect.sync(() => {
        const key = orderKey(tenantId, id)
        const order = orders.get(key)
        if (order === undefined || order.status !== "pending") return false
        orders.set(key, PaymentOrder.make({ ...order, ...settlement }))
        return true
      }),
    count: (tenantId) =>
      Effect.sync(() => Array.from(orders.values()).filter((order) => order.tenantId === tenantId).length)
  })
})
