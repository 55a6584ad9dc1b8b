import { SqlClient, type Statement } from "@effect/sql"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import type { ParseError } from "effect/ParseResult"
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
import { dieOnInfrastructureError } from "./repositoryBoundary.js"
import { decodeAll, encodedInstant, instantParam, jsonParam } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

/**
 * BillingLedger on Postgres. `record` is one transaction: the receipt is
 * inserted first (ON CONFLICT DO NOTHING: a duplicate writes nothing else and
 * waits for, rather than races, a concurrent first delivery); then the
 * subscription row is locked FOR UPDATE (in the same statement as the insert)
 * while `decide` runs, and its new state written together with the jobs (JobsSql's
 * rows, in the same statement: ADR 054), so a job exists exactly when the
 * receipt committed. A subscription's first event needs no second statement:
 * the first one also carries `decide`'s answer for "no subscription yet" and
 * writes it when the row is indeed missing (ADR 090). Workers are woken after
 * the commit (wakeUpAfterCommit, ADR 088), not by a NOTIFY in the transaction. A receipt without a transition
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

/** Paid roles whose grace days are remembered at most; past it they are all forgotten (and read again). */
const maxRememberedPaidRoles = 10_000
/** Subscriptions remembered as existing at most (ADR 090); past it they are all forgotten. */
const maxRememberedSubscriptions = 50_000

type Decide = Option.Option.Value<RecordRequest["transition"]>["decide"]

/** What the receipt's statement found: a duplicate, the first state written, or the locked row to decide from. */
type Recorded =
  | { readonly _tag: "Duplicate" }
  | { readonly _tag: "Written" }
  /** The first state fit, but another transaction inserted the subscription meanwhile: decide from its row. */
  | { readonly _tag: "Taken"; readonly context: DecideContext }
  | {
    readonly _tag: "Locked"
    readonly current: Option.Option<SubscriptionState>
    readonly context: DecideContext
  }

interface StatementRow {
  readonly recorded: number
  readonly state: unknown
  readonly paid_role_grace_days: number | string | null
  readonly fitted: number
  readonly written: number
}

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

const receiptFromRow = (row: Record<string, unknown>) => ({
  provider: row.provider,
  providerEventId: row.provider_event_id,
  type: row.type,
  tenantId: row.tenant_id,
  outcome: row.outcome,
  note: row.note,
  receivedAt: encodedInstant(row.received_at)
})

const decodeReceipts = decodeAll(StoredReceiptSchema, receiptFromRow)

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
    const boundary = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
      effect.pipe(dieOnInfrastructureError, Effect.provideService(SqlClient.SqlClient, sql))

    const receiptValues = (request: RecordRequest) => {
      const { receipt } = request
      return sql`
        INSERT INTO webhook_events (provider, provider_event_id, type, tenant_id, payload, outcome, note, received_at)
        VALUES (${receipt.provider}, ${receipt.providerEventId}, ${receipt.type}, ${receipt.tenantId}::uuid,
                ${receipt.payload}, ${request.outcome}, ${request.note}, ${instantParam(receipt.receivedAt)})
        ON CONFLICT (provider, provider_event_id) DO NOTHING
      `
    }

    const insertReceipt = (request: RecordRequest) =>
      Effect.map(sql`${receiptValues(request)} RETURNING 1`, (rows) => rows.length > 0)

    /** The grace days of a member role subject's paid role, read with the lock; none for a plan. */
    const paidRoleGraceDays = (subject: BillingSubject) =>
      subject._tag === "MemberRole"
        ? sql`(
          SELECT grace_days FROM paid_roles
          WHERE tenant_id = ${subject.tenantId} AND guild_id = ${subject.guildId} AND role_id = ${subject.roleId}
        )`
        : sql`NULL::integer`

    /**
     * The grace days last read per paid role: the context a subscription's first event is decided with
     * before its statement is sent, which the statement checks (ADR 090). A wrong or missing guess costs
     * only the second statement.
     */
    const graceDaysRead = new Map<string, number | null>()
    const paidRoleOf = (subject: BillingSubject) =>
      subject._tag === "MemberRole" ? `${subject.tenantId}/${subject.guildId}/${subject.roleId}` : undefined
    /**
     * Subscriptions this process has seen exist: their events are not decided ahead as first events, which
     * they are not. Rows are not deleted while their tenant exists, so a stale entry only costs that.
     */
    const subscriptionsSeen = new Set<string>()
    const sawSubscription = (tenantId: TenantId, key: string) => {
      if (subscriptionsSeen.size >= maxRememberedSubscriptions) subscriptionsSeen.clear()
      subscriptionsSeen.add(`${tenantId}/${key}`)
    }
    /** The context to decide a first event with ahead of its statement, when it is likely one and can be guessed. */
    const guessedContext = (subject: BillingSubject): Option.Option<DecideContext> => {
      if (subscriptionsSeen.has(`${subject.tenantId}/${subjectKey(subject)}`)) return Option.none()
      const role = paidRoleOf(subject)
      if (role === undefined) return Option.some({ paidRoleGraceDays: Option.none() })
      const days = graceDaysRead.get(role)
      return days === undefined ? Option.none() : Option.some({ paidRoleGraceDays: Option.fromNullable(days) })
    }
    const rememberGraceDays = (subject: BillingSubject, days: number | null) => {
      const role = paidRoleOf(subject)
      if (role === undefined) return
      if (graceDaysRead.size >= maxRememberedPaidRoles) graceDaysRead.clear()
      graceDaysRead.set(role, days)
    }

    /** A new subscription's row, unless another transaction just inserted it (then nothing). */
    const subscriptionInsert = (
      tenantId: TenantId,
      key: string,
      state: SubscriptionState,
      encoded: string,
      onlyIf?: Statement.Fragment
    ) => {
      const member = memberColumns(state.subject)
      // Typed by hand: a SELECT's parameters do not take the columns' types as VALUES' do.
      const values = sql`${tenantId}::uuid, ${key}::text, ${state.status}::text, ${state.provider}::text,
        ${state.correlationId}::text, ${member.guildId}::text, ${member.userId}::text, ${member.roleId}::text,
        ${state.planKey}::text, ${encoded}::jsonb, ${state.revision}::integer,
        ${instantParam(state.updatedAt)}::timestamptz`
      return sql`
        INSERT INTO subscriptions (tenant_id, subject_key, status, provider, correlation_id, guild_id, user_id,
                                   role_id, plan_key, state, revision, updated_at)
        ${onlyIf === undefined ? sql`VALUES (${values})` : sql`SELECT ${values} WHERE ${onlyIf}`}
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
     * inserted after this statement began is not seen, which the insert's ON CONFLICT then reveals, as for
     * a separate SELECT.
     *
     * `first` is `decide`'s answer for a subject without a subscription, given a guessed context: the
     * statement inserts its state, with its jobs, when the receipt is new, no row is found and the paid
     * role's grace days are the guessed ones (ADR 090). Otherwise what it read decides in a second statement.
     */
    const insertReceiptLockingState = (
      request: RecordRequest,
      tenantId: TenantId,
      subject: BillingSubject,
      first: Option.Option<{
        readonly context: DecideContext
        readonly state: SubscriptionState
        readonly encoded: string
        readonly specs: ReadonlyArray<JobSpec>
        readonly now: DateTime.Utc
      }>
    ) => {
      const key = subjectKey(subject)
      const locking = sql`
        receipt AS (${receiptValues(request)} RETURNING 1),
        locked AS (
          SELECT state FROM subscriptions
          WHERE tenant_id = ${tenantId} AND subject_key = ${key} AND EXISTS (SELECT 1 FROM receipt)
          FOR UPDATE
        ),
        grace AS (SELECT ${paidRoleGraceDays(subject)} AS days)
      `
      const statement = Option.match(first, {
        onNone: () =>
          sql<StatementRow>`
          WITH ${locking}
          SELECT (SELECT count(*) FROM receipt)::int AS recorded, (SELECT state FROM locked) AS state,
                 (SELECT days FROM grace) AS paid_role_grace_days, 0 AS fitted, 0 AS written
        `,
        onSome: ({ context, encoded, now, specs, state }) => {
          const guessed = Option.getOrNull(context.paidRoleGraceDays)
          const jobsWhenWritten = specs.length === 0
            ? sql``
            : sql`, inserted AS (${jobsInsert(sql, specs, now, sql`EXISTS (SELECT 1 FROM written)`)})`
          return sql<StatementRow>`
            WITH ${locking},
            fits AS (
              SELECT 1 WHERE EXISTS (SELECT 1 FROM receipt) AND NOT EXISTS (SELECT 1 FROM locked)
                AND (SELECT days FROM grace) IS NOT DISTINCT FROM ${guessed}::integer
            ),
            written AS (${subscriptionInsert(tenantId, key, state, encoded, sql`EXISTS (SELECT 1 FROM fits)`)})
            ${jobsWhenWritten}
            SELECT (SELECT count(*) FROM receipt)::int AS recorded, (SELECT state FROM locked) AS state,
                   (SELECT days FROM grace) AS paid_role_grace_days, (SELECT count(*) FROM fits)::int AS fitted,
                   (SELECT count(*) FROM written)::int AS written
          `
        }
      })
      return statement.pipe(
        Effect.flatMap(([row]): Effect.Effect<Recorded, ParseError> => {
          if (row === undefined || row.recorded === 0) return Effect.succeed({ _tag: "Duplicate" })
          const graceDays = row.paid_role_grace_days === null ? null : Number(row.paid_role_grace_days)
          rememberGraceDays(subject, graceDays)
          const context: DecideContext = { paidRoleGraceDays: Option.fromNullable(graceDays) }
          if (row.written > 0) return Effect.succeed({ _tag: "Written" })
          if (row.fitted > 0) return Effect.succeed({ _tag: "Taken", context })
          return Effect.map(
            row.state === null ? Effect.succeedNone : Effect.asSome(decodeState(row.state)),
            (current) => ({ _tag: "Locked", current, context })
          )
        })
      )
    }

    const lockedState = (tenantId: TenantId, key: string) =>
      sql<{ state: unknown }>`
        SELECT state FROM subscriptions WHERE tenant_id = ${tenantId} AND subject_key = ${key} FOR UPDATE
      `.pipe(Effect.flatMap(decodeStates), Effect.map((states) => Option.fromNullable(states[0])))

    /**
     * Inserts a new subscription (false when another transaction just did) or updates the locked one, and
     * enqueues `specs` in the same statement, only when it wrote (ADR 054: one round trip for both). The
     * jobs are JobsSql's rows and wake-up NOTIFY, written as Jobs.enqueue would in this transaction.
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
     * `moreJobs`. `locked` is the locked state read with the receipt's insert, or "taken" when that
     * statement found another transaction's new row in its way, which is then locked and read first.
     */
    const applyTransition = (
      tenantId: TenantId,
      transition: Option.Option.Value<RecordRequest["transition"]>,
      locked: Option.Option<SubscriptionState> | "taken",
      context: DecideContext,
      moreJobs: ReadonlyArray<JobSpec>
    ) =>
      Effect.gen(function*() {
        const key = subjectKey(transition.subject)
        // A second attempt only follows a concurrent insert of the same new subscription, which then exists.
        for (let attempt = locked === "taken" ? 2 : 1; attempt <= 2; attempt++) {
          const current = attempt === 1 && locked !== "taken" ? locked : yield* lockedState(tenantId, key)
          const { specs, state } = yield* checkedDecision(tenantId, key, transition.decide(current, context), moreJobs)
          if (yield* writeState(tenantId, key, state, Option.isNone(current), specs)) {
            return anyDue(specs, yield* DateTime.now)
          }
        }
        return yield* Effect.dieMessage(`subscription ${key} could not be inserted nor found in tenant ${tenantId}`)
      })

    const record = (request: RecordRequest) =>
      Effect.gen(function*() {
        if (Option.isSome(request.transition)) {
          const transition = request.transition.value
          const tenantId = request.receipt.tenantId!
          const key = subjectKey(transition.subject)
          const now = yield* DateTime.now
          const first = yield* Effect.transposeMapOption(guessedContext(transition.subject), (context) =>
            Effect.gen(function*() {
              const decided = transition.decide(Option.none(), context)
              const { specs, state } = yield* checkedDecision(tenantId, key, decided, request.jobs)
              return { context, state, specs, now, encoded: jsonParam(yield* encodeState(state)) }
            }))
          const recorded = yield* insertReceiptLockingState(request, tenantId, transition.subject, first)
          if (recorded._tag === "Duplicate") {
            return "duplicate" as const
          }
          sawSubscription(tenantId, key)
          const jobsDue = recorded._tag === "Written"
            ? anyDue(Option.getOrThrow(first).specs, now)
            : yield* applyTransition(
              tenantId,
              transition,
              recorded._tag === "Taken" ? "taken" : recorded.current,
              recorded.context,
              request.jobs
            )
          return jobsDue ? "recorded, jobs due" as const : "recorded" as const
        }
        if (!(yield* insertReceipt(request))) {
          return "duplicate" as const
        }
        yield* ofTheReceiptsTenant(request.receipt.tenantId, request.jobs)
        if (request.jobs.length > 0) {
          yield* jobs.enqueue(request.jobs)
        }
        return "recorded" as const
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
        return record(request).pipe(
          tenantId === null ? asPlatform : inTenant(tenantId),
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
        `.pipe(decodeReceipts, inTenant(tenantId), boundary)
    })
  })
)
