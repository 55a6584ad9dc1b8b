import { SqlClient, type Statement } from "@effect/sql"
import { Clock, DateTime, Duration, Effect, Layer, Option, Queue } from "effect"
import { type Job, Jobs, type JobSpec, type JobStatus, TenantId } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { instantParam, jsonParam } from "./rows.js"
import { asPlatform } from "./TenantScope.js"

/**
 * The job outbox on Postgres (server or PGlite), migration 0007 and ADR 051.
 *
 * - `enqueue` joins the caller's transaction when there is one, so a job
 *   exists exactly when the change that asked for it commits. It then runs in
 *   the caller's row-level-security context: inside `inTenant(t)` only jobs of
 *   tenant t may be enqueued (any other tenant, or null, violates the policy
 *   and dies); a caller's transaction must have set a context (inTenant or
 *   asPlatform), or the policy refuses the row. Outside a transaction it runs
 *   in platform context.
 * - The worker's operations run in platform context: a worker serves every
 *   tenant. A claim is one statement locking due rows `FOR UPDATE SKIP
 *   LOCKED`, so replicas never take the same job, nor wait for each other.
 * - `enqueue` is one statement, whatever the number of jobs; when any is due
 *   now it also NOTIFYs `jobsChannelPrefix` + schema, delivered on commit (JobWakeupsSql,
 *   ADR 054).
 * - Time always comes from the callers' `now` (the Effect Clock), never from
 *   SQL now(), so tests drive it with TestClock.
 */

const defaultMaxAttempts = 10

/**
 * The NOTIFY channel that wakes idle workers (JobWakeupsSql) is this prefix and the schema the jobs
 * table is in (`guildhall_jobs:public`): deployments (and tests) sharing a database wake only their own
 * workers. The payload carries nothing.
 */
export const jobsChannelPrefix = "guildhall_jobs:"

/** The shortest time between two wake-ups sent after commits (wakeUpAfterCommit). */
const wakeUpSpacing = Duration.millis(5)

/**
 * Wake-ups for jobs that a transaction the caller owns has just committed (ADR 088): `wake` returns at
 * once; a background fiber sends one NOTIFY on the jobs channel, outside any transaction, and then at
 * most one more per `wakeUpSpacing` however many commits asked meanwhile. A NOTIFY inside each
 * transaction would instead take Postgres's notify lock at every commit, which serializes all of them
 * (and their WAL flushes). A wake-up lost to a failed NOTIFY costs only latency: workers poll.
 */
export const wakeUpAfterCommit = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    const requested = yield* Queue.sliding<void>(1)
    yield* Queue.take(requested).pipe(
      Effect.zipRight(sql`SELECT pg_notify(${jobsChannelPrefix} || current_schema(), 'due')::text AS notified`),
      Effect.catchAllCause((cause) => Effect.logDebug("jobs: a wake-up NOTIFY failed; workers poll", cause)),
      // Wall-clock spacing, even under a test clock, which would otherwise hold every later wake-up back.
      Effect.zipRight(Effect.withClock(Effect.sleep(wakeUpSpacing), Clock.make())),
      Effect.forever,
      Effect.forkScoped
    )
    return { wake: Effect.asVoid(Queue.offer(requested, undefined)) } as const
  })

/**
 * The INSERT of `specs` (RETURNING run_at; a duplicate idempotency key inserts nothing), for `enqueue`
 * and for a repository that enqueues inside a statement of its own (BillingLedgerSql, ADR 054): with
 * `onlyIf`, the rows are inserted only when that condition holds.
 */
export const jobsInsert = (
  sql: SqlClient.SqlClient,
  specs: ReadonlyArray<JobSpec>,
  now: DateTime.Utc,
  onlyIf?: Statement.Fragment
) => {
  const rows = sql.csv(
    specs.map((spec) =>
      sql`(${spec.tenantId}::uuid, ${spec.kind}::text, ${jsonParam(spec.payload ?? null)}::jsonb,
         ${spec.idempotencyKey}::text, 'pending', ${instantParam(spec.runAt)}::timestamptz, 0,
         ${spec.maxAttempts ?? defaultMaxAttempts}::int, ${instantParam(now)}::timestamptz)`
    )
  )
  return sql`
    INSERT INTO jobs (tenant_id, kind, payload, idempotency_key, status, run_at, attempts, max_attempts, created_at)
    ${onlyIf === undefined ? sql`VALUES ${rows}` : sql`SELECT * FROM (VALUES ${rows}) AS job WHERE ${onlyIf}`}
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING run_at
  `
}

/** Whether any of `specs` is due at `now`, so that inserting it should wake a worker. */
export const anyDue = (specs: ReadonlyArray<JobSpec>, now: DateTime.Utc) =>
  specs.some((spec) => DateTime.lessThanOrEqualTo(spec.runAt, now))

/**
 * The wake-up NOTIFY for the rows of a CTE named `inserted` (jobsInsert's): sent when one of them is due,
 * delivered by Postgres when the transaction commits (so a woken worker's claim sees the jobs).
 */
export const notifyWhenDue = (sql: SqlClient.SqlClient, now: DateTime.Utc) =>
  sql`(
    SELECT pg_notify(${jobsChannelPrefix} || current_schema(), 'due')::text
    FROM inserted WHERE run_at <= ${instantParam(now)}::timestamptz
    LIMIT 1
  )`

const jobColumns = `id, tenant_id, kind, payload, idempotency_key, status, run_at, attempts, max_attempts,
  last_error, locked_by, locked_until, created_at, finished_at`

interface JobRow {
  readonly insertion_order?: string | number
  readonly id: string
  readonly tenant_id: string | null
  readonly kind: string
  readonly payload: unknown
  readonly idempotency_key: string
  readonly status: JobStatus
  readonly run_at: Date
  readonly attempts: number
  readonly max_attempts: number
  readonly last_error: string | null
  readonly locked_by: string | null
  readonly locked_until: Date | null
  readonly created_at: Date
  readonly finished_at: Date | null
}

const instant = (value: Date) => DateTime.unsafeMake(value)
const nullableInstant = (value: Date | null) => (value === null ? null : instant(value))

const jobFromRow = (row: JobRow): Job => ({
  id: row.id,
  tenantId: row.tenant_id === null ? null : TenantId.make(row.tenant_id),
  kind: row.kind,
  payload: row.payload,
  idempotencyKey: row.idempotency_key,
  status: row.status,
  runAt: instant(row.run_at),
  attempts: Number(row.attempts),
  maxAttempts: Number(row.max_attempts),
  lastError: row.last_error,
  lockedBy: row.locked_by,
  lockedUntil: nullableInstant(row.locked_until),
  createdAt: instant(row.created_at),
  finishedAt: nullableInstant(row.finished_at)
})

export const JobsSql = Layer.effect(
  Jobs,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)

    /**
     * One statement for every job. When any is due now it also sends the wake-up NOTIFY, which Postgres
     * delivers when the transaction commits (so a woken worker's claim sees the jobs); a duplicate
     * (ON CONFLICT) or a job for later wakes nobody.
     */
    const insertAll = (specs: ReadonlyArray<JobSpec>, now: DateTime.Utc) => {
      const insert = jobsInsert(sql, specs, now)
      return anyDue(specs, now)
        ? sql`WITH inserted AS (${insert}) SELECT ${notifyWhenDue(sql, now)} AS notified`
        : insert
    }

    /** Changes a running job only while `workerId` holds it. */
    const ifHeld = (id: string, workerId: string, change: Statement.Fragment) =>
      sql`UPDATE jobs SET ${change} WHERE id = ${id}::uuid AND status = 'running' AND locked_by = ${workerId}::text`
        .pipe(Effect.asVoid, asPlatform, boundary)

    return Jobs.of({
      enqueue: (specs) =>
        specs.length === 0 ? Effect.void : Effect.gen(function*() {
          const now = yield* DateTime.now
          const inserts = insertAll(specs, now)
          // Never a scope inside the caller's: set_config is transaction-local and would change the rest of it.
          const callersTransaction = yield* Effect.serviceOption(SqlClient.TransactionConnection)
          yield* Option.isSome(callersTransaction) ? inserts : asPlatform(inserts)
        }).pipe(boundary),
      claim: ({ lease, limit, now, workerId }) =>
        sql<JobRow>`
          WITH due AS (
            SELECT id FROM jobs
            -- A running job was due when claimed, so every claimable job has run_at <= now: as an index
            -- condition it stops the scan before future jobs (dunning timers), however many there are.
            WHERE run_at <= ${instantParam(now)}::timestamptz
              AND (status = 'pending' OR (status = 'running' AND locked_until <= ${instantParam(now)}::timestamptz))
            ORDER BY run_at, insertion_order
            LIMIT ${limit}::int
            FOR UPDATE SKIP LOCKED
          )
          UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, locked_by = ${workerId}::text,
                          locked_until = ${instantParam(DateTime.addDuration(now, Duration.decode(lease)))}::timestamptz
          FROM due WHERE jobs.id = due.id
          RETURNING ${sql.literal(jobColumns.replace(/(\w+)/g, "jobs.$1"))}, jobs.insertion_order
        `.pipe(
          // RETURNING keeps no order.
          Effect.map((rows) =>
            rows.slice().sort((a, b) =>
              a.run_at.getTime() - b.run_at.getTime() || Number(a.insertion_order) - Number(b.insertion_order)
            )
              .map(jobFromRow)
          ),
          asPlatform,
          boundary
        ),
      complete: (id, workerId, now) =>
        ifHeld(
          id,
          workerId,
          sql`status = 'done', finished_at = ${instantParam(now)}::timestamptz, locked_by = NULL, locked_until = NULL`
        ),
      retry: (id, workerId, error, runAt) =>
        ifHeld(
          id,
          workerId,
          sql`status = 'pending', run_at = ${instantParam(runAt)}::timestamptz, last_error = ${error}::text,
              locked_by = NULL, locked_until = NULL`
        ),
      bury: (id, workerId, error, now) =>
        ifHeld(
          id,
          workerId,
          sql`status = 'dead', last_error = ${error}::text, finished_at = ${instantParam(now)}::timestamptz,
              locked_by = NULL, locked_until = NULL`
        ),
      find: (id) =>
        sql<JobRow>`SELECT ${sql.literal(jobColumns)} FROM jobs WHERE id = ${id}::uuid`.pipe(
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), jobFromRow)),
          asPlatform,
          boundary
        ),
      findByIdempotencyKey: (key) =>
        sql<JobRow>`SELECT ${sql.literal(jobColumns)} FROM jobs WHERE idempotency_key = ${key}::text`.pipe(
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), jobFromRow)),
          asPlatform,
          boundary
        ),
      list: ({ kind, limit, status, tenantId }) =>
        sql<JobRow>`
          SELECT ${sql.literal(jobColumns)} FROM jobs
          WHERE status = ${status}::text
            AND (${kind ?? null}::text IS NULL OR kind = ${kind ?? null}::text)
            AND (${tenantId ?? null}::uuid IS NULL OR tenant_id = ${tenantId ?? null}::uuid)
          ORDER BY created_at, insertion_order
          LIMIT ${limit}::int
        `.pipe(Effect.map((rows) => rows.map(jobFromRow)), asPlatform, boundary),
      revive: (id, now) =>
        sql`
          UPDATE jobs SET status = 'pending', run_at = ${instantParam(now)}::timestamptz, attempts = 0,
                          finished_at = NULL, locked_by = NULL, locked_until = NULL
          WHERE id = ${id}::uuid AND status = 'dead'
          RETURNING 1
        `.pipe(Effect.map((rows) => rows.length > 0), asPlatform, boundary),
      purgeFinished: (finishedBefore) =>
        sql`
          DELETE FROM jobs WHERE status = 'done' AND finished_at < ${instantParam(finishedBefore)}::timestamptz
          RETURNING 1
        `.pipe(Effect.map((rows) => rows.length), asPlatform, boundary)
    })
  })
)
