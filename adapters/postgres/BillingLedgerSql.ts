import { SqlClient, type Statement } from "@effect/sql"
import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
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
import { OneStatementTransaction } from "./OneStatementTransaction.js"
import { dieOnInfrastructureError } from "./repositoryBoundary.js"
import { decodeAll, encodedInstant, instantParam, jsonParam } from "./rows.js"
import { asPlatform, inTenant, inTenantStatement } from "./TenantScope.js"

/**
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
 * An event that looks like its subscription's first is tried before that as
 * one statement, a transaction of its own (ADR 090; one round trip on the
 * server, ADR 091): `decide`'s answer for "no subscription yet" is written
 * with the receipt and the jobs, or nothing is written when the event is not
 * a first one after all, and the transaction above runs instead.
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

type Transition = Option.Option.Value<RecordRequest["transition"]>
type Decide = Transition["decide"]

interface FirstEventRow {
  readonly fitted: number
  readonly recorded: number
  readonly paid_role_grace_days: number | string | null
}

/** A unique violation (SQLSTATE 23505): here, another transaction inserted the same new subscription. */
const isUniqueViolation = (cause: unknown) =>
  typeof cause === "object" && cause !== null && (cause as { code?: unknown }).code === "23505"

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

const decodeTenantlessReceipts = decodeAll(
  Schema.Struct({ ...StoredReceiptSchema.fields, payload: Schema.String }),
  (row) => ({ ...receiptFromRow(row), payload: row.payload })
)

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
    // With the server's one-round-trip transactions when the database is the server (ADR 091).
    const services: Context.Context<SqlClient.SqlClient> = Option.match(
      yield* Effect.serviceOption(OneStatementTransaction),
      {
        onNone: () => Context.make(SqlClient.SqlClient, sql),
        onSome: (transaction) =>
          Context.make(SqlClient.SqlClient, sql).pipe(Context.add(OneStatementTransaction, transaction))
      }
    )
    const boundary = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
      effect.pipe(dieOnInfrastructureError, Effect.provide(services))

    /** The receipt's insert; with `onlyIf`, only when that holds. ON CONFLICT DO NOTHING: a duplicate writes nothing. */
    const receiptValues = (request: RecordRequest, onlyIf?: Statement.Fragment) => {
      const { receipt } = request
      // Typed by hand: a SELECT's parameters do not take the columns' types as VALUES' do.
      const values = sql`${receipt.provider}::text, ${receipt.providerEventId}::text, ${receipt.type}::text,
        ${receipt.tenantId}::uuid, ${receipt.payload}::text, ${request.outcome}::text, ${request.note}::text,
        ${instantParam(receipt.receivedAt)}::timestamptz`
      return sql`
        INSERT INTO webhook_events (provider, provider_event_id, type, tenant_id, payload, outcome, note, received_at)
        ${onlyIf === undefined ? sql`VALUES (${values})` : sql`SELECT ${values} WHERE ${onlyIf}`}
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
     * only a second transaction.
     */
    const graceDaysRead = new Map<string, number | null>()
    const paidRoleOf = (subject: BillingSubject) =>
      subject._tag === "MemberRole" ? `${subject.tenantId}/${subject.guildId}/${subject.roleId}` : undefined
    /**
     * Subscriptions this process has seen exist: their events are not recorded as first events, which
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
    const rememberGraceDays = (subject: BillingSubject, days: number | string | null) => {
      const role = paidRoleOf(subject)
      if (role === undefined) return
      if (graceDaysRead.size >= maxRememberedPaidRoles) graceDaysRead.clear()
      graceDaysRead.set(role, days === null ? null : Number(days))
    }

    /**
     * A new subscription's row. In `writeState` another transaction's insert of it makes this one do
     * nothing (ON CONFLICT); in a first event's statement it fails the statement instead, so that nothing
     * of the event is written.
     */
    const subscriptionInsert = (
      tenantId: TenantId,
      key: string,
      state: SubscriptionState,
      encoded: string,
      insert: { readonly onlyIf: Statement.Fragment } | "unless it exists"
    ) => {
      const member = memberColumns(state.subject)
      const values = sql`${tenantId}::uuid, ${key}::text, ${state.status}::text, ${state.provider}::text,
        ${state.correlationId}::text, ${member.guildId}::text, ${member.userId}::text, ${member.roleId}::text,
        ${state.planKey}::text, ${encoded}::jsonb, ${state.revision}::integer,
        ${instantParam(state.updatedAt)}::timestamptz`
      return sql`
        INSERT INTO subscriptions (tenant_id, subject_key, status, provider, correlation_id, guild_id, user_id,
                                   role_id, plan_key, state, revision, updated_at)
        ${
        insert === "unless it exists"
          ? sql`VALUES (${values}) ON CONFLICT (tenant_id, subject_key) DO NOTHING`
          : sql`SELECT ${values} WHERE ${insert.onlyIf}`
      }
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
     * A subscription's first event in one statement, its own transaction (ADR 090): `decide`'s answer for
     * "no subscription yet", given the guessed context, is written with the receipt and the jobs when no
     * subscription row exists and the paid role's grace days are the guessed ones; otherwise nothing is
     * written and the event is "not a first event". The subscription's insert has no ON CONFLICT: when
     * another transaction inserts the same subscription meanwhile, this statement fails on the primary key
     * and writes nothing, and the event is likewise recorded again as an ordinary one.
     */
    const recordFirstEvent = (
      request: RecordRequest,
      tenantId: TenantId,
      transition: Transition,
      context: DecideContext
    ) =>
      Effect.gen(function*() {
        const key = subjectKey(transition.subject)
        const now = yield* DateTime.now
        const decided = transition.decide(Option.none(), context)
        const { specs, state } = yield* checkedDecision(tenantId, key, decided, request.jobs)
        const encoded = jsonParam(yield* encodeState(state))
        const guessed = Option.getOrNull(context.paidRoleGraceDays)
        const jobsWhenWritten = specs.length === 0
          ? sql``
          : sql`, inserted AS (${jobsInsert(sql, specs, now, sql`EXISTS (SELECT 1 FROM written)`)})`
        const rows = yield* inTenantStatement(tenantId)(sql<FirstEventRow>`
          WITH grace AS (SELECT ${paidRoleGraceDays(transition.subject)} AS days),
          fits AS (
            SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM subscriptions WHERE tenant_id = ${tenantId} AND subject_key = ${key})
              AND (SELECT days FROM grace) IS NOT DISTINCT FROM ${guessed}::integer
          ),
          receipt AS (${receiptValues(request, sql`EXISTS (SELECT 1 FROM fits)`)} RETURNING 1),
          written AS (
            ${subscriptionInsert(tenantId, key, state, encoded, { onlyIf: sql`EXISTS (SELECT 1 FROM receipt)` })}
          )
          ${jobsWhenWritten}
          SELECT (SELECT count(*) FROM fits)::int AS fitted, (SELECT count(*) FROM receipt)::int AS recorded,
                 (SELECT days FROM grace) AS paid_role_grace_days
        `).pipe(
          Effect.catchIf(
            (error) => isUniqueViolation(error.cause),
            () => Effect.succeed([])
          )
        )
        const row = rows[0]
        if (row === undefined) return "not a first event" as const
        rememberGraceDays(transition.subject, row.paid_role_grace_days)
        if (row.fitted === 0) return "not a first event" as const
        if (row.recorded === 0) return "duplicate" as const
        return anyDue(specs, now) ? "recorded, jobs due" as const : "recorded" as const
      })

    /**
     * The receipt's insert and, when it was new, the subscription's lock and what `decide` is given, in one
     * round trip (ADR 054). The lock's SELECT ... FOR UPDATE behaves as on its own: it waits for a
     * concurrent writer of the row and reads the version that writer committed; a row another transaction
     * inserted after this statement began is not seen, which writeState's ON CONFLICT then reveals, as for
     * a separate SELECT.
     */
    const insertReceiptLockingState = (request: RecordRequest, tenantId: TenantId, subject: BillingSubject) =>
      sql<{ recorded: number; state: unknown; paid_role_grace_days: number | string | null }>`
        WITH receipt AS (${receiptValues(request)} RETURNING 1),
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
          rememberGraceDays(subject, row.paid_role_grace_days)
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
          ? subscriptionInsert(tenantId, key, state, encoded, "unless it exists")
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
          sawSubscription(tenantId, subjectKey(transition.subject))
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
          Option.match(guessedContext(transition.subject), {
            onNone: () => record(request),
            onSome: (context) =>
              Effect.flatMap(
                recordFirstEvent(request, request.receipt.tenantId!, transition, context),
                (outcome) => {
                  if (outcome === "not a first event") return record(request)
                  if (outcome !== "duplicate") {
                    sawSubscription(request.receipt.tenantId!, subjectKey(transition.subject))
                  }
                  return Effect.succeed(outcome)
                }
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
