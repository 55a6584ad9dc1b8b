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
import { anyDue, jobsInsert, wakeUpAfterCommit } from "./JobsSql.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, instantParam, jsonParam } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

/**
 * (Over 300 lines: `record`'s transaction and the reads of what it wrote
 * share their statements' shapes and the decision's checks; the first-event
 * path that made it 499 lines is gone, ADR 101.)
 *
 * BillingLedger on Postgres. `record` is one transaction: the receipt is
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
type Decide = Transition["decide"]

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

/** The columns a subscription is filtered by, repeated from its state. */
const memberColumns = (subject: BillingSubject) =>
  subject._tag === "MemberRole"
    ? { guildId: subject.guildId, userId: subject.userId, roleId: subject.roleId }
    : { guildId: null, userId: null, roleId: null }

export const BillingLedgerSql = Layer.scoped(
  BillingLedger,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const jobs = yield* Jobs
    const wakeUps = yield* wakeUpAfterCommit(sql)
    const boundary = repositoryBoundary(sql)

    /** The receipt's insert. ON CONFLICT DO NOTHING: a duplicate writes nothing. */
    const receiptInsert = (request: RecordRequest) => {
      const { receipt } = request
      return sql`
        INSERT INTO webhook_events (provider, provider_event_id, type, tenant_id, payload, outcome, note, received_at)
        VALUES (${receipt.provider}, ${receipt.providerEventId}, ${receipt.type}, ${receipt.tenantId},
                ${receipt.payload}, ${request.outcome}, ${request.note}, ${instantParam(receipt.receivedAt)})
        ON CONFLICT (provider, provider_event_id) DO NOTHING
      `
    }

    const insertReceipt = (request: RecordRequest) =>
      Effect.map(sql`${receiptInsert(request)} RETURNING 1`, (rows) => rows.length > 0)

    /** The grace days of a member role subject's paid role, read with the lock; none for a plan. */
    const paidRoleGraceDays = (subject: BillingSubject) =>
      subject._tag === "MemberRole"
        ? sql`(
          SELECT grace_days FROM paid_roles
          WHERE tenant_id = ${subject.tenantId} AND guild_id = ${subject.guildId} AND role_id = ${subject.roleId}
        )`
        : sql`NULL::integer`

    /** A new subscription's row; nothing when another transaction just inserted it (ON CONFLICT). */
    const subscriptionInsert = (tenantId: TenantId, key: string, state: SubscriptionState, encoded: string) => {
      const member = memberColumns(state.subject)
      return sql`
        INSERT INTO subscriptions (tenant_id, subject_key, status, provider, correlation_id, guild_id, user_id,
                                   role_id, plan_key, state, revision, updated_at)
        VALUES (${tenantId}, ${key}, ${state.status}, ${state.provider}, ${state.correlationId}, ${member.guildId},
                ${member.userId}, ${member.roleId}, ${state.planKey}, ${encoded}::jsonb, ${state.revision}::integer,
                ${instantParam(state.updatedAt)})
        ON CONFLICT (tenant_id, subject_key) DO NOTHING
        RETURNING 1
      `
    }

    /** A decision for the subject's row as it was asked for, or a defect naming what `decide` did instead. */
    const checkedDecision = (
      tenantId: TenantId,
      key: string,
      decision: ReturnType<Decide>,
      moreJobs: ReadonlyArray<JobSpec>
    ) => {
      const { state } = decision.transition
      if (state.subject.tenantId !== tenantId || subjectKey(state.subject) !== key) {
        return Effect.dieMessage(
          `decide returned the state of ${subjectKey(state.subject)} in tenant ${state.subject.tenantId}, ` +
            `not of ${key} in tenant ${tenantId}`
        )
      }
      const specs = [...decision.jobs, ...moreJobs]
      return Effect.as(ofTheReceiptsTenant(tenantId, specs), { state, specs })
    }

    /**
     * The receipt's insert and, when it was new, the subscription's lock and what `decide` is given, in one
     * round trip (ADR 054). The lock's SELECT ... FOR UPDATE behaves as on its own: it waits for a
     * concurrent writer of the row and reads the version that writer committed; a row another transaction
     * inserted after this statement began is not seen, which writeState's ON CONFLICT then reveals, as for
     * a separate SELECT.
     */
    const insertReceiptLockingState = (request: RecordRequest, tenantId: TenantId, subject: BillingSubject) =>
      sql<{ recorded: number; state: unknown; paid_role_grace_days: number | string | null }>`
        WITH receipt AS (${receiptInsert(request)} RETURNING 1),
        locked AS (
          SELECT state FROM subscriptions
          WHERE tenant_id = ${tenantId} AND subject_key = ${subjectKey(subject)} AND EXISTS (SELECT 1 FROM receipt)
          FOR UPDATE
        )
        SELECT (SELECT count(*) FROM receipt)::int AS recorded, (SELECT state FROM locked) AS state,
               ${paidRoleGraceDays(subject)} AS paid_role_grace_days
      `.pipe(
        Effect.flatMap(([row]) => {
          if (row === undefined || row.recorded === 0) return Effect.succeed(Option.none())
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
          ? subscriptionInsert(tenantId, key, state, encoded)
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

    /** Row-level security would refuse a job of another tenant anyway; this says why. */
    const ofTheReceiptsTenant = (tenantId: TenantId | null, specs: ReadonlyArray<JobSpec>) => {
      const foreign = specs.find((job) => tenantId !== null && job.tenantId !== tenantId)
      return foreign === undefined
        ? Effect.void
        : Effect.dieMessage(`job ${foreign.idempotencyKey} is not of the receipt's tenant ${tenantId}`)
    }

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
        return record(request).pipe(
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
