import { SqlClient, type Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Option, Scope } from "effect"
import type { TenantId } from "../../core/index.js"
import { announceCommittedBumps, forgetBumps } from "./policyVersions.js"
import { OneStatementTransaction } from "./RoundTrips.js"

/**
 * The one place that opens the transactions repositories query in. Each sets
 * its row-level-security context with `set_config(..., is_local => true)`, so
 * it ends with the transaction and never leaks to a pooled connection's next
 * user, and switches to the unprivileged role guildhall_app (`set_config('role')`
 * is SET LOCAL ROLE), under which the policies of migration 0003 apply even
 * when the connecting user is a superuser. Both are sent with the BEGIN.
 *
 * Do not nest one scope in another: the inner one would change the context of
 * the rest of the outer transaction.
 */

/** The role the policies apply to; created by migration 0003. */
const appRole = "guildhall_app"

/** What a tenant id must look like to be written into a statement as a literal. */
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * A transaction (or, nested, a savepoint) whose opening statement also runs
 * `settings`, as one text; on the Postgres server RoundTrips.ts decides how
 * many round trips it takes. `settings` holds literals only, never input
 * that was not checked.
 * Otherwise it is @effect/sql's own transaction: a reserved connection, and
 * the statements inside it (and nested transactions) use that connection.
 * Once it commits, the policy changes it wrote are announced in process.
 */
const transactionWith = (sql: SqlClient.SqlClient, settings: string) =>
  SqlClient.makeWithTransaction({
    transactionTag: SqlClient.TransactionConnection,
    spanAttributes: [],
    acquireConnection: Effect.flatMap(
      Scope.make(),
      (scope) => Effect.map(Scope.extend(sql.reserve, scope), (conn) => [scope, conn] as const)
    ),
    begin: (conn) => Effect.zipRight(forgetBumps(conn), conn.executeUnprepared(`BEGIN; ${settings}`, [], undefined)),
    savepoint: (conn, id) => conn.executeUnprepared(`SAVEPOINT effect_sql_${id}; ${settings}`, [], undefined),
    commit: (conn) =>
      Effect.zipRight(conn.executeUnprepared("COMMIT", [], undefined), announceCommittedBumps(sql, conn)),
    rollback: (conn) => Effect.zipRight(forgetBumps(conn), conn.executeUnprepared("ROLLBACK", [], undefined)),
    rollbackSavepoint: (conn, id) => conn.executeUnprepared(`ROLLBACK TO SAVEPOINT effect_sql_${id}`, [], undefined)
  })

/**
 * Runs `effect` in a transaction that sees and writes only the rows of
 * `tenantId`. The id goes into the statement as a literal, so it must be a
 * UUID, as every TenantId decoded from input is; anything else is a defect.
 */
export const inTenant =
  (tenantId: TenantId) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R | SqlClient.SqlClient> =>
    Effect.flatMap(
      tenantSettings(tenantId),
      (settings) => Effect.flatMap(SqlClient.SqlClient, (sql) => transactionWith(sql, settings)(effect))
    )

/** The statement that sets a tenant's context; a defect unless the id is a UUID (it is written as a literal). */
const tenantSettings = (tenantId: TenantId) =>
  uuid.test(tenantId)
    ? Effect.succeed(
      `SELECT set_config('app.tenant_id', '${tenantId}', true), set_config('role', '${appRole}', true)`
    )
    : Effect.dieMessage(`inTenant: ${JSON.stringify(tenantId)} is not a tenant id (a UUID)`)

/**
 * `inTenant` for a transaction that is one statement: on the Postgres server
 * in one round trip (OneStatementTransaction, ADR 091), elsewhere as
 * `inTenant(statement)`.
 */
export const inTenantStatement = (tenantId: TenantId) =>
<A extends object>(
  statement: Statement.Statement<A>
): Effect.Effect<ReadonlyArray<A>, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    Effect.serviceOption(OneStatementTransaction),
    Option.match({
      onNone: () => inTenant(tenantId)(statement),
      onSome: (transaction) =>
        Effect.flatMap(
          tenantSettings(tenantId),
          (settings) =>
            transaction.run(`BEGIN; ${settings}`, statement.compile()) as Effect.Effect<ReadonlyArray<A>, SqlError>
        )
    })
  )

/**
 * Runs `effect` in a transaction that sees every tenant's rows: operator and
 * cross-tenant work only (tenant creation and listing, key lookup by prefix,
 * guild directory lookups).
 */
export const asPlatform = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    transactionWith(
      sql,
      `SELECT set_config('app.platform', 'on', true), set_config('role', '${appRole}', true)`
    )(effect))

/**
 * Inside `inTenant`, widens visibility to every tenant for `effect` alone (a
 * lookup of who owns a guild), then narrows it back. If narrowing fails, the
 * transaction has already failed and will roll back, so nothing else runs in it.
 */
export const withPlatformView = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`SELECT set_config('app.platform', 'on', true)`.pipe(
      Effect.zipRight(effect),
      Effect.ensuring(Effect.ignore(sql`SELECT set_config('app.platform', '', true)`))
    ))
