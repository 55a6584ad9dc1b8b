/**
 * A pgbench script that runs, per transaction, what the ledger commits for
 * each new event of the webhook bench: the first-event statement of
 * BillingLedgerFirstEvent.ts (`recordFirstEvent`, ADR 090) with its tenant context, in
 * one pipeline (BEGIN with the context, the statement, COMMIT: one round trip,
 * as the server's client sends it, ADR 091). The same tables, rows, payload
 * sizes and conditions; only the ids differ per transaction (`:k`), each
 * starting with `pgbench_` so that `removeScriptRows` can take them out
 * again; their jobs are due in a year, so a worker running meanwhile
 * (BENCH_WORKER_DURING_ACK) leaves them alone.
 *
 * pgbench, a C client with nothing else to do, running it is the most any
 * server could acknowledge on this Postgres: no HTTP, no signature, no JSON.
 * Keep it in step with `recordFirstEvent` when that statement changes.
 */
import { subscriptionActive, type TrafficTenant } from "./webhookTraffic.js"

/** A SQL string literal. */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`

/**
 * pgbench reads `:name` anywhere in a command, even inside a string, as a
 * variable: JSON's `":false` would be one. A space after a colon that a
 * letter follows keeps the JSON the same value.
 */
const json = (value: unknown) => JSON.stringify(value).replaceAll(/:(?=[A-Za-z_])/g, ": ")

export const webhookTransactionScript = (schema: string, tenant: TrafficTenant): string => {
  // A real event's body, as the receipt keeps it (the payload is not unique; the ids below are).
  const event = subscriptionActive([tenant], 0)
  const userId = "300000000000000000"
  const subject = { _tag: "MemberRole", tenantId: tenant.id, guildId: tenant.guildId, roleId: tenant.roleId, userId }
  const now = Date.now()
  // The state the ledger stores for a new active subscription (Subscription.transition from none).
  const state = {
    subject,
    provider: "polar",
    correlationId: "sub_bench_0",
    customerId: null,
    status: "active",
    readOnly: false,
    roleGranted: true,
    planKey: null,
    version: now,
    revision: 1,
    currentPeriodEnd: new Date(now + 30 * 86_400_000).toISOString(),
    cancelAtPeriodEnd: false,
    graceEndsAt: null,
    readOnlyEndsAt: null,
    updatedAt: new Date(now).toISOString(),
    facts: {
      signal: "active",
      signalEventId: event.webhookId,
      goodKey: now,
      paidThrough: now + 30 * 86_400_000,
      passes: [],
      failureKeys: [],
      endKey: null,
      disputed: false,
      refunded: false,
      passOver: false,
      graceOver: false,
      readOnlyOver: false,
      appliedPlanKey: null,
      trialEndNotified: null
    }
  }
  const id = literal(tenant.id)
  const eventId = `'pgbench_' || (:k)::text`
  const subjectKey = `${literal(`role:${tenant.guildId}:${tenant.roleId}`)} || chr(58) || ${eventId}`
  const script = `\\set k random(1, 1000000000000)
\\startpipeline
BEGIN;
SELECT set_config('app.tenant_id', ${id}, true), set_config('role', 'guildhall_app', true);
WITH grace AS (
  SELECT (SELECT grace_days FROM ${schema}.paid_roles
          WHERE tenant_id = ${id} AND guild_id = ${literal(tenant.guildId)} AND role_id = ${
    literal(tenant.roleId)
  }) AS days
), fits AS (
  SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM ${schema}.subscriptions WHERE tenant_id = ${id} AND subject_key = ${subjectKey})
    AND (SELECT days FROM grace) IS NOT DISTINCT FROM NULL::integer
), receipt AS (
  INSERT INTO ${schema}.webhook_events (provider, provider_event_id, type, tenant_id, payload, outcome, note, received_at)
  SELECT 'polar', ${eventId}, 'subscription.active', ${id}::uuid, ${literal(json(JSON.parse(event.body)))},
         'applied', NULL, now()
  WHERE EXISTS (SELECT 1 FROM fits)
  ON CONFLICT (provider, provider_event_id) DO NOTHING
  RETURNING 1
), written AS (
  INSERT INTO ${schema}.subscriptions (tenant_id, subject_key, status, provider, correlation_id, guild_id, user_id,
                             role_id, plan_key, state, revision, updated_at)
  SELECT ${id}::uuid, ${subjectKey}, 'active', 'polar', ${eventId}, ${literal(tenant.guildId)},
         ${literal(userId)}, ${literal(tenant.roleId)}, NULL, ${literal(json(state))}::jsonb, 1, now()
  WHERE EXISTS (SELECT 1 FROM receipt)
  RETURNING 1
), inserted AS (
  INSERT INTO ${schema}.jobs (tenant_id, kind, payload, idempotency_key, status, run_at, attempts, max_attempts, created_at)
  SELECT * FROM (VALUES (${id}::uuid, 'billing.GrantRole', ${literal(json({ ...subject, _tag: "GrantRole" }))}::jsonb,
                         'polar' || chr(58) || ${eventId} || chr(58) || '0', 'pending',
                         now() + interval '1 year', 0, 10, now())) AS job
  WHERE EXISTS (SELECT 1 FROM written)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING run_at
)
SELECT (SELECT count(*) FROM fits)::int AS fitted, (SELECT count(*) FROM receipt)::int AS recorded,
       (SELECT days FROM grace) AS paid_role_grace_days;
COMMIT;
\\endpipeline
`
  const strayVariable = /(?<!:):(?!k\b|:)[A-Za-z_]\w*/.exec(script)
  if (strayVariable !== null) throw new Error(`pgbench would read ${strayVariable[0]} as a variable`)
  return script
}

/** Statements deleting what the script wrote in `schema` (run as the admin, which row-level security lets through). */
export const removeScriptRows = (schema: string) => [
  `DELETE FROM ${schema}.jobs WHERE idempotency_key LIKE 'polar:pgbench\\_%'`,
  `DELETE FROM ${schema}.subscriptions WHERE correlation_id LIKE 'pgbench\\_%'`,
  `DELETE FROM ${schema}.webhook_events WHERE provider = 'polar' AND provider_event_id LIKE 'pgbench\\_%'`
]
