import { Effect, Layer, Option } from "effect"
import {
  BillingLedger,
  Jobs,
  PaidRoleRepo,
  type ReceiptCursor,
  type RecordRequest,
  type StoredReceipt,
  subjectKey,
  type SubscriptionState,
  type TenantId,
  type TenantlessReceipt
} from "../../core/index.js"
import { compareCodeUnits } from "./ordering.js"

/** The orders BillingLedgerSql lists in: newest first, ties by key. */
const receiptOrder = (a: StoredReceipt, b: StoredReceipt): number =>
  b.receivedAt.epochMillis - a.receivedAt.epochMillis ||
  compareCodeUnits(a.provider, b.provider) ||
  compareCodeUnits(a.providerEventId, b.providerEventId)

/** The cursor as a receipt, to compare with receiptOrder. */
const receiptAt = (cursor: ReceiptCursor): StoredReceipt => ({
  ...cursor,
  type: "",
  tenantId: null,
  outcome: "ignored",
  note: null
})

const subscriptionOrder = (
  a: { readonly key: string; readonly state: SubscriptionState },
  b: { readonly key: string; readonly state: SubscriptionState }
): number => b.state.updatedAt.epochMillis - a.state.updatedAt.epochMillis || compareCodeUnits(a.key, b.key)

/**
 * BillingLedger in memory, with a store of its own. `record` runs alone (a
 * semaphore stands in for the transaction and the row lock): it decides and
 * checks everything before it writes, and enqueues through the Jobs port
 * inside the same critical section, so a receipt, its state and its jobs
 * appear together. Receipt payloads are not kept (nothing reads them back).
 */
export const BillingLedgerMemory = Layer.effect(
  BillingLedger,
  Effect.gen(function*() {
    const jobs = yield* Jobs
    const paidRoles = yield* PaidRoleRepo
    const lock = yield* Effect.makeSemaphore(1)
    /** Keyed by `${provider}/${providerEventId}`, like the (provider, provider_event_id) primary key. */
    const receipts = new Map<string, TenantlessReceipt>()
    /** Keyed by tenant, then by subject key. */
    const subscriptions = new Map<TenantId, Map<string, SubscriptionState>>()

    const record = (request: RecordRequest) =>
      Effect.gen(function*() {
        const { receipt } = request
        const receiptKey = `${receipt.provider}/${receipt.providerEventId}`
        if (receipts.has(receiptKey)) return "duplicate" as const

        // Read before deciding, as BillingLedgerSql reads it with the subscription's lock.
        const paidRoleGraceDays = yield* Option.match(request.transition, {
          onNone: () => Effect.succeedNone,
          onSome: ({ subject }) =>
            subject._tag === "MemberRole"
              ? Effect.map(
                paidRoles.find(subject.tenantId, subject.guildId, subject.roleId),
                Option.map((role) => role.graceDays)
              )
              : Effect.succeedNone
        })
        const decided = Option.map(request.transition, (transition) => {
          const tenantId = receipt.tenantId
          if (tenantId === null || transition.subject.tenantId !== tenantId) {
            throw new Error(
              `receipt ${receiptKey} of tenant ${tenantId} cannot change a subscription of tenant ` +
                transition.subject.tenantId
            )
          }
          const key = subjectKey(transition.subject)
          const decision = transition.decide(Option.fromNullable(subscriptions.get(tenantId)?.get(key)), {
            paidRoleGraceDays
          })
          const { state } = decision.transition
          if (state.subject.tenantId !== tenantId || subjectKey(state.subject) !== key) {
            throw new Error(
              `decide returned the state of ${subjectKey(state.subject)} in tenant ${state.subject.tenantId}, ` +
                `not of ${key} in tenant ${tenantId}`
            )
          }
          return { tenantId, key, state, jobs: decision.jobs }
        })

        const toEnqueue = [...Option.match(decided, { onNone: () => [], onSome: (d) => d.jobs }), ...request.jobs]
        const foreign = toEnqueue.find((job) => receipt.tenantId !== null && job.tenantId !== receipt.tenantId)
        if (foreign !== undefined) {
          return yield* Effect.dieMessage(
            `job ${foreign.idempotencyKey} is not of the receipt's tenant ${receipt.tenantId}`
          )
        }
        if (toEnqueue.length > 0) yield* jobs.enqueue(toEnqueue)

        receipts.set(receiptKey, {
          provider: receipt.provider,
          providerEventId: receipt.providerEventId,
          type: receipt.type,
          tenantId: receipt.tenantId,
          outcome: request.outcome,
          note: request.note,
          receivedAt: receipt.receivedAt,
          payload: receipt.payload
        })
        if (Option.isSome(decided)) {
          const { key, state, tenantId } = decided.value
          const tenantSubscriptions = subscriptions.get(tenantId) ?? new Map<string, SubscriptionState>()
          tenantSubscriptions.set(key, state)
          subscriptions.set(tenantId, tenantSubscriptions)
        }
        return "recorded" as const
      })

    return BillingLedger.of({
      // A throw above (a mismatched tenant, a throwing decide) is a defect, before anything was written.
      record: (request) => lock.withPermits(1)(Effect.suspend(() => record(request))),
      findSubscription: (tenantId, key) =>
        Effect.sync(() => Option.fromNullable(subscriptions.get(tenantId)?.get(key))),
      listSubscriptions: (tenantId, filter) =>
        Effect.sync(() =>
          Array.from(subscriptions.get(tenantId)?.entries() ?? [], ([key, state]) => ({ key, state }))
            .filter(({ state }) =>
              (filter.status === undefined || filter.status.includes(state.status)) &&
              (filter.guildId === undefined ||
                (state.subject._tag === "MemberRole" && state.subject.guildId === filter.guildId)) &&
              (filter.userId === undefined ||
                (state.subject._tag === "MemberRole" && state.subject.userId === filter.userId))
            )
            .sort(subscriptionOrder)
            .slice(0, filter.limit)
            .map(({ state }) => state)
        ),
      listReceipts: (tenantId, options) =>
        Effect.sync(() =>
          Array.from(receipts.values())
            .filter((receipt) => receipt.tenantId === tenantId)
            .sort(receiptOrder)
            .slice(0, options.limit)
            .map(({ payload: _, ...stored }) => stored)
        ),
      listTenantlessReceipts: ({ after, limit }) =>
        Effect.sync(() =>
          Array.from(receipts.values())
            .filter((receipt) =>
              receipt.tenantId === null && Option.match(after, {
                onNone: () => true,
                onSome: (cursor) => receiptOrder(receipt, receiptAt(cursor)) > 0
              })
            )
            .sort(receiptOrder)
            .slice(0, limit)
        )
    })
  })
)
