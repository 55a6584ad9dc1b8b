import type { SqlClient, Statement } from "@effect/sql"
import { Effect, type Option } from "effect"
import {
  type BillingSubject,
  type JobSpec,
  type RecordRequest,
  subjectKey,
  type SubscriptionState,
  type TenantId
} from "../../core/index.js"
import { instantParam } from "./rows.js"

/**
 * The statements BillingLedgerSql's two ways of recording an event share
 * (the ordinary transaction, and a subscription's first event in one
 * statement, ADR 090): the receipt's and a new subscription's inserts, the
 * paid role's grace days, and the checks of what `decide` returned.
 */

type Transition = Option.Option.Value<RecordRequest["transition"]>
export type Decide = Transition["decide"]

/** The columns a subscription is filtered by, repeated from its state. */
export const memberColumns = (subject: BillingSubject) =>
  subject._tag === "MemberRole"
    ? { guildId: subject.guildId, userId: subject.userId, roleId: subject.roleId }
    : { guildId: null, userId: null, roleId: null }

/** The receipt's insert; with `onlyIf`, only when that holds. ON CONFLICT DO NOTHING: a duplicate writes nothing. */
export const receiptInsert = (sql: SqlClient.SqlClient, request: RecordRequest, onlyIf?: Statement.Fragment) => {
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

/** The grace days of a member role subject's paid role, read with the lock; none for a plan. */
export const paidRoleGraceDays = (sql: SqlClient.SqlClient, subject: BillingSubject) =>
  subject._tag === "MemberRole"
    ? sql`(
      SELECT grace_days FROM paid_roles
      WHERE tenant_id = ${subject.tenantId} AND guild_id = ${subject.guildId} AND role_id = ${subject.roleId}
    )`
    : sql`NULL::integer`

/**
 * A new subscription's row. In the ordinary transaction another
 * transaction's insert of it makes this one do nothing (ON CONFLICT); in a
 * first event's statement it fails the statement instead, so that nothing of
 * the event is written.
 */
export const subscriptionInsert = (
  sql: SqlClient.SqlClient,
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

/** Row-level security would refuse a job of another tenant anyway; this says why. */
export const ofTheReceiptsTenant = (tenantId: TenantId | null, specs: ReadonlyArray<JobSpec>) => {
  const foreign = specs.find((job) => tenantId !== null && job.tenantId !== tenantId)
  return foreign === undefined
    ? Effect.void
    : Effect.dieMessage(`job ${foreign.idempotencyKey} is not of the receipt's tenant ${tenantId}`)
}

/** A decision for the subject's row as it was asked for, or a defect naming what `decide` did instead. */
export const checkedDecision = (
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
