import type { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option, Schema } from "effect"
import {
  type BillingSubject,
  type DecideContext,
  type RecordRequest,
  subjectKey,
  SubscriptionState,
  type TenantId
} from "../../core/index.js"
import { checkedDecision, paidRoleGraceDays, receiptInsert, subscriptionInsert } from "./billingLedgerStatements.js"
import { anyDue, jobsInsert } from "./JobsSql.js"
import { isUniqueViolation } from "./repositoryBoundary.js"
import { OneStatementTransaction } from "./RoundTrips.js"
import { jsonParam } from "./rows.js"
import { inTenantStatement } from "./TenantScope.js"

/**
 * A subscription's first event decided ahead and written in one statement,
 * its own transaction (ADR 090; one round trip on the server, ADR 091): the
 * ordinary transaction takes three (the receipt with the subscription's
 * lock, the state with its jobs, COMMIT), and bench:webhooks measures the
 * difference (ADR 101). It is a guess the statement checks: when the guess
 * is wrong nothing is written and the ledger records the event the ordinary
 * way, so what is stored is always what `decide` makes of the row as it is.
 */

type Transition = Option.Option.Value<RecordRequest["transition"]>

/** Paid roles whose grace days are remembered at most; past it they are all forgotten (and read again). */
const maxRememberedPaidRoles = 10_000
/** Subscriptions remembered as existing at most; past it they are all forgotten. */
const maxRememberedSubscriptions = 50_000

interface FirstEventRow {
  readonly fitted: number
  readonly recorded: number
  readonly paid_role_grace_days: number | string | null
}

const encodeState = Schema.encode(SubscriptionState)

export const makeFirstEvents = (sql: SqlClient.SqlClient) =>
  Effect.map(Effect.serviceOption(OneStatementTransaction), (oneStatement) => {
    /**
     * The grace days last read per paid role: the context a first event is decided with before its
     * statement is sent, which the statement checks. A wrong or missing guess costs a second transaction.
     */
    const graceDaysRead = new Map<string, number | null>()
    const paidRoleOf = (subject: BillingSubject) =>
      subject._tag === "MemberRole" ? `${subject.tenantId}/${subject.guildId}/${subject.roleId}` : undefined
    /**
     * Subscriptions this process has seen exist: their events are not tried as first events, which
     * they are not. Rows are not deleted while their tenant exists, so a stale entry only costs that.
     */
    const subscriptionsSeen = new Set<string>()

    const sawSubscription = (tenantId: TenantId, key: string) => {
      if (subscriptionsSeen.size >= maxRememberedSubscriptions) subscriptionsSeen.clear()
      subscriptionsSeen.add(`${tenantId}/${key}`)
    }

    const rememberGraceDays = (subject: BillingSubject, days: number | string | null) => {
      const role = paidRoleOf(subject)
      if (role === undefined) return
      if (graceDaysRead.size >= maxRememberedPaidRoles) graceDaysRead.clear()
      graceDaysRead.set(role, days === null ? null : Number(days))
    }

    /** The context to decide a first event with ahead of its statement, when it is likely one and can be guessed. */
    const guessedContext = (subject: BillingSubject): Option.Option<DecideContext> => {
      if (subscriptionsSeen.has(`${subject.tenantId}/${subjectKey(subject)}`)) return Option.none()
      const role = paidRoleOf(subject)
      if (role === undefined) return Option.some({ paidRoleGraceDays: Option.none() })
      const days = graceDaysRead.get(role)
      return days === undefined ? Option.none() : Option.some({ paidRoleGraceDays: Option.fromNullable(days) })
    }

    /**
     * `decide`'s answer for "no subscription yet", given the guessed context, written with the receipt and
     * the jobs when no subscription row exists and the paid role's grace days are the guessed ones;
     * otherwise nothing is written. The subscription's insert has no ON CONFLICT: when another transaction
     * inserts the same subscription meanwhile, this statement fails on the primary key and writes nothing.
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
        const statement = inTenantStatement(tenantId)(sql<FirstEventRow>`
          WITH grace AS (SELECT ${paidRoleGraceDays(sql, transition.subject)} AS days),
          fits AS (
            SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM subscriptions WHERE tenant_id = ${tenantId} AND subject_key = ${key})
              AND (SELECT days FROM grace) IS NOT DISTINCT FROM ${guessed}::integer
          ),
          receipt AS (${receiptInsert(sql, request, sql`EXISTS (SELECT 1 FROM fits)`)} RETURNING 1),
          written AS (
            ${subscriptionInsert(sql, tenantId, key, state, encoded, { onlyIf: sql`EXISTS (SELECT 1 FROM receipt)` })}
          )
          ${jobsWhenWritten}
          SELECT (SELECT count(*) FROM fits)::int AS fitted, (SELECT count(*) FROM receipt)::int AS recorded,
                 (SELECT days FROM grace) AS paid_role_grace_days
        `)
        const rows = yield* Option.match(oneStatement, {
          onNone: () => statement,
          onSome: (transaction) => Effect.provideService(statement, OneStatementTransaction, transaction)
        }).pipe(Effect.catchIf((error) => isUniqueViolation(error), () => Effect.succeed([])))
        const row = rows[0]
        if (row === undefined) return "not a first event" as const
        rememberGraceDays(transition.subject, row.paid_role_grace_days)
        if (row.fitted === 0) return "not a first event" as const
        if (row.recorded === 0) return "duplicate" as const
        sawSubscription(tenantId, key)
        return anyDue(specs, now) ? "recorded, jobs due" as const : "recorded" as const
      })

    return { guessedContext, recordFirstEvent, rememberGraceDays, sawSubscription }
  })
