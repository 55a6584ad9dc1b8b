import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import {
  BillingLedger,
  BillingProvider,
  type BillingSubject,
  type DecideContext,
  Jobs,
  type JobSpec,
  type RecordRequest,
  subjectKey,
  SubscriptionState,
  TenantId
} from "../../core/index.js"
import { makeFirstEvents } from "./BillingLedgerFirstEvent.js"
import {
  checkedDecision,
  memberColumns,
  ofTheReceiptsTenant,
  paidRoleGraceDays,
  receiptInsert,
  subscriptionInsert
} from "./billingLedgerStatements.js"
import { anyDue, jobsInsert, wakeUpAfterCommit } from "./JobsSql.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, instantParam, jsonParam } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

/**
 * BillingLedger on Postgres. A subscription's first event is tried in one
 * statement (BillingLedgerFirstEvent.ts, ADR 090), which writes nothing when
 * its guess was wrong; otherwise, and for every other event, `record` is one
 * transaction: the receipt is
 * inserted first (ON CONFLICT DO NOTHING: a duplicate writes nothing else and
 * waits for, rather than races, a concurrent first delivery); then the
 * subscription row is locked FOR UPDATE (in the same statement as the insert)
 * while `decide` runs, and its new state written together with the jobs (JobsSql's
 * rows, in the same statement: ADR 054), so a job exists exactly when the
 * receipt committed. Workers are woken after the commit (wakeUpAfterCommit,
 * ADR 088), not by a NOTIFY in the transaction. A receipt without a transition
 * enqueues its jobs through the Jobs port, which joins this transaction.
 *
 * Two events for one brand-new subscription race on its insert: the loser's
 * INSERT ... ON CONFLICT DO NOTHING waits for the winner to commit and
 * inserts nothing; its next statement sees the committed row (READ
 * COMMITTED takes a snapshot per statement), so it locks it and decides
 * again from that state. Both events apply, one after the other.
 *
 * The transaction is the receipt's tenant's (inTenant), or the platform's for
 * a receipt naming no tenant, which may then carry no transition. Every job of
 * a tenant's receipt must be that tenant's: anything else is a defect.
 */

type Transition = Option.Option.Value<RecordRequest["transition"]>

const decodeState = Schema.decodeUnknown(SubscriptionState)
const encodeState = Schema.encode(SubscriptionState)

/** StoredReceipt is an interface in the core; this is its shape as stored. */
const StoredReceiptSchema = Schema.Struct({
  provider: BillingProvider,
  providerEventId: Schema.String,
  type: Schema.String,
  tenantId: Schema.NullOr(TenantId),
  outcome: Schema.Literal("applied", "ignored", "held_for_review"),
  note: Schema.NullOr(Schema.String),
  receivedAt: Schema.DateTimeUtc
})

const decodeReceipts = decodeAll(StoredReceiptSchema)
const decodeTenantlessReceipts = decodeAll(Schema.Struct({ ...StoredReceiptSchema.fields, payload: Schema.String }))

const decodeStates = (rows: ReadonlyArray<{ readonly state: unknown }>) =>
  Effect.forEach(rows, (row) => decodeState(row.state))

export const BillingLedgerSql = Layer.scoped(
  BillingLedger,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const jobs = yield* Jobs
    const wakeUps = yield* wakeUpAfterCommit(sql)
    const boundary = repositoryBoundary(sql)
    const firstEvents = yield* makeFirstEvents(sql)

    const insertReceipt = (request: RecordRequest) =>
      Effect.map(sql`${receiptInsert(sql, request)} RETURNING 1`, (rows) => rows.length > 0)

    /**
     * The receipt's insert and, when it was new, the subscription's lock and what `decide` is given, in one
     * round trip (ADR 054). The lock's SELECT ... FOR UPDATE behaves as on its own: it waits for a
     * concurrent writer of the row and reads the version that writer committed; a row another transaction
     * inserted after this statement began is not seen, which writeState's ON CONFLICT then reveals, as for
     * a separate SELECT.
     */
    const insertReceiptLockingState = (request: RecordRequest, tenantId: TenantId, subject: BillingSubject) =>
      sql<{ recorded: number; state: unknown; paid_role_grace_days: number | string | null }>`
        WITH receipt AS (${receiptInsert(sql, request)} RETURNING 1),
        locked AS (
          SELECT state FROM subscriptions
          WHERE tenant_id = ${tenantId} AND subject_key = ${subjectKey(subject)} AND EXISTS (SELECT 1 FROM receipt)
          FOR UPDATE
        )
        SELECT (SELECT count(*) FROM receipt)::int AS recorded, (SELECT state FROM locked) AS state,
               ${paidRoleGraceDays(sql, subject)} AS paid_role_grace_days
      `.pipe(
        Effect.flatMap(([row]) => {
          if (row === undefined || row.recorded === 0) return Effect.succeed(Option.none())
          firstEvents.rememberGraceDays(subject, row.paid_role_grace_days)
          return Effect.map(
            row.state === null ? Effect.succeedNone : Effect.asSome(decodeState(row.state)),
            (current) =>
              Option.some({
                current,
                context: {
                  paidRoleGraceDays: Option.map(Option.fromNullable(row.paid_role_grace_days), Number)
                } satisfies DecideContext
              })
          )
        })
      )

    const lockedState = (tenantId: TenantId, key: string) =>
      sql<{ state: unknown }>`
        SELECT state FROM subscriptions WHERE tenant_id = ${tenantId} AND subject_key = ${key} FOR UPDATE
      `.pipe(Effect.flatMap(decodeStates), Effect.map((states) => Option.fromNullable(states[0])))

    /**
     * Inserts a new subscription (false when another transaction just did) or updates the locked one, and
     * enqueues `specs` in the same statement, only when it wrote (ADR 054: one round trip for both). The
     * jobs are JobsSql's rows, written as Jobs.enqueue would in this transaction.
     */
    const writeState = (
      tenantId: TenantId,
      key: string,
      state: SubscriptionState,
      isNew: boolean,
      specs: ReadonlyArray<JobSpec>
    ) =>
      Effect.gen(function*() {
        const encoded = jsonParam(yield* encodeState(state))
        const member = memberColumns(state.subject)
        const write = isNew
          ? subscriptionInsert(sql, tenantId, key, state, encoded, "unless it exists")
          : sql`
            UPDATE subscriptions SET
              status = ${state.status}, provider = ${state.provider}, correlation_id = ${state.correlationId},
              guild_id = ${member.guildId}, user_id = ${member.userId}, role_id = ${member.roleId},
              plan_key = ${state.planKey}, state = ${encoded}::jsonb, revision = ${state.revision}::integer,
              updated_at = ${instantParam(state.updatedAt)}
            WHERE tenant_id = ${tenantId} AND subject_key = ${key}
            RETURNING 1
          `
        if (specs.length === 0) return (yield* write).length > 0
        const now = yield* DateTime.now
        const [row] = yield* sql<{ written: number }>`
          WITH written AS (${write}),
          inserted AS (${jobsInsert(sql, specs, now, sql`EXISTS (SELECT 1 FROM written)`)})
          SELECT (SELECT count(*) FROM written)::int AS written
        `
        return row !== undefined && row.written > 0
      })

    /**
     * Runs the subject's subscription through `decide` and stores the result with the jobs it asked for and
     * `moreJobs`. `current` is the locked state read with the receipt's insert.
     */
    const applyTransition = (
      tenantId: TenantId,
      transition: Transition,
      locked: Option.Option<SubscriptionState>,
      context: DecideContext,
      moreJobs: ReadonlyArray<JobSpec>
    ) =>
      Effect.gen(function*() {
        const key = subjectKey(transition.subject)
        let current = locked
        // A second attempt only follows a concurrent insert of the same new subscription, which then exists.
        for (let attempt = 1; attempt <= 2; attempt++) {
          if (attempt > 1) current = yield* lockedState(tenantId, key)
          const { specs, state } = yield* checkedDecision(tenantId, key, transition.decide(current, context), moreJobs)
          if (yield* writeState(tenantId, key, state, Option.isNone(current), specs)) {
            return anyDue(specs, yield* DateTime.now)
          }
        }
        return yield* Effect.dieMessage(`subscription ${key} could not be inserted nor found in tenant ${tenantId}`)
      })

    /** The receipt and what it changes, in one transaction of the receipt's tenant (or the platform's). */
    const record = (request: RecordRequest) =>
      Effect.gen(function*() {
        if (Option.isSome(request.transition)) {
          const transition = request.transition.value
          const tenantId = request.receipt.tenantId!
          const recorded = yield* insertReceiptLockingState(request, tenantId, transition.subject)
          if (Option.isNone(recorded)) return "duplicate" as const
          firstEvents.sawSubscription(tenantId, subjectKey(transition.subject))
          const { context, current } = recorded.value
          return (yield* applyTransition(tenantId, transition, current, context, request.jobs))
            ? "recorded, jobs due" as const
            : "recorded" as const
        }
        if (!(yield* insertReceipt(request))) return "duplicate" as const
        yield* ofTheReceiptsTenant(request.receipt.tenantId, request.jobs)
        if (request.jobs.length > 0) yield* jobs.enqueue(request.jobs)
        return "recorded" as const
      }).pipe(request.receipt.tenantId === null ? asPlatform : inTenant(request.receipt.tenantId))

    /** A first event in one statement when it looks like one (ADR 090); otherwise, or if it was not, `record`. */
    const recordFirstOrOrdinary = (request: RecordRequest) =>
      Option.match(request.transition, {
        onNone: () => record(request),
        onSome: (transition) =>
          Option.match(firstEvents.guessedContext(transition.subject), {
            onNone: () => record(request),
            onSome: (context) =>
              Effect.flatMap(
                firstEvents.recordFirstEvent(request, request.receipt.tenantId!, transition, context),
                (outcome) => outcome === "not a first event" ? record(request) : Effect.succeed(outcome)
              )
          })
      })

    return BillingLedger.of({
      record: (request) => {
        const { tenantId } = request.receipt
        if (Option.isSome(request.transition)) {
          const subject = request.transition.value.subject
          if (tenantId === null || subject.tenantId !== tenantId) {
            return Effect.dieMessage(
              `receipt ${request.receipt.provider}/${request.receipt.providerEventId} of tenant ${tenantId} ` +
                `cannot change a subscription of tenant ${subject.tenantId}`
            )
          }
        }
        // A receipt that names no tenant (an ignored operator-account event) is written in platform context.
        return recordFirstOrOrdinary(request).pipe(
          boundary,
          // Committed: now wake the workers (Jobs.enqueue, used within the transaction, sent its own NOTIFY).
          Effect.flatMap((outcome) =>
            outcome === "recorded, jobs due" ? Effect.as(wakeUps.wake, "recorded" as const) : Effect.succeed(outcome)
          )
        )
      },
      findSubscription: (tenantId, key) =>
        sql<{ state: unknown }>`
          SELECT state FROM subscriptions WHERE tenant_id = ${tenantId} AND subject_key = ${key}
        `.pipe(
          Effect.flatMap(decodeStates),
          Effect.map((states) => Option.fromNullable(states[0])),
          inTenant(tenantId),
          boundary
        ),
      listSubscriptions: (tenantId, filter) => {
        if (filter.status !== undefined && filter.status.length === 0) return Effect.succeed([])
        const conditions = [
          sql`tenant_id = ${tenantId}`,
          ...(filter.status === undefined ? [] : [sql.in("status", filter.status)]),
          ...(filter.guildId === undefined ? [] : [sql`guild_id = ${filter.guildId}`]),
          ...(filter.userId === undefined ? [] : [sql`user_id = ${filter.userId}`])
        ]
        return sql<{ state: unknown }>`
          SELECT state FROM subscriptions WHERE ${sql.and(conditions)}
          ORDER BY updated_at DESC, subject_key COLLATE "C"
          LIMIT ${filter.limit}
        `.pipe(Effect.flatMap(decodeStates), inTenant(tenantId), boundary)
      },
      listReceipts: (tenantId, options) =>
        sql`
          SELECT provider, provider_event_id, type, tenant_id, outcome, note, received_at
          FROM webhook_events WHERE tenant_id = ${tenantId}
          ORDER BY received_at DESC, provider COLLATE "C", provider_event_id COLLATE "C"
          LIMIT ${options.limit}
        `.pipe(decodeReceipts, inTenant(tenantId), boundary),
      // Tenantless rows are visible only in platform context (row-level security: NULL matches no tenant).
      listTenantlessReceipts: ({ after, limit }) => {
        const afterCursor = Option.match(after, {
          onNone: () => sql`TRUE`,
          onSome: (cursor) =>
            sql`(received_at < ${instantParam(cursor.receivedAt)}::timestamptz
              OR (received_at = ${instantParam(cursor.receivedAt)}::timestamptz
                AND (provider COLLATE "C", provider_event_id COLLATE "C") > (${cursor.provider}, ${cursor.providerEventId})))`
        })
        return sql`
          SELECT provider, provider_event_id, type, tenant_id, outcome, note, received_at, payload
          FROM webhook_events WHERE tenant_id IS NULL AND ${afterCursor}
          ORDER BY received_at DESC, provider COLLATE "C", provider_event_id COLLATE "C"
          LIMIT ${limit}
        `.pipe(decodeTenantlessReceipts, asPlatform, boundary)
      }
    })
  })
)
