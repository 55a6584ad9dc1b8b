import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import type { TenantId } from "../../core/index.js"

/**
 * The one place that opens the transactions repositories query in. Each sets
 * its row-level-security context with `set_config(..., is_local => true)`, so
 * it ends with the transaction and never leaks to a pooled connection's next
 * user, and switches to the unprivileged role guildhall_app (`set_config('role')`
 * is SET LOCAL ROLE in the same round trip), under which the policies of
 * migration 0003 apply even when the connecting user is a superuser.
 *
 * Do not nest one scope in another: the inner one would change the context of
 * the rest of the outer transaction.
 */

/** The role the policies apply to; created by migration 0003. */
const appRole = "guildhall_app"

/** Runs `effect` in a transaction that sees and writes only the rows of `tenantId`. */
export const inTenant =
  (tenantId: TenantId) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R | SqlClient.SqlClient> =>
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql.withTransaction(
        Effect.zipRight(
          sql`SELECT set_config('app.tenant_id', ${tenantId}, true), set_config('role', ${appRole}, true)`,
          effect
        )
      ))

/**
 * Runs `effect` in a transaction that sees every tenant's rows: operator and
 * cross-tenant work only (tenant creation and listing, key lookup by prefix,
 * guild directory lookups).
 */
export const asPlatform = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.withTransaction(
      Effect.zipRight(
        sql`SELECT set_config('app.platform', 'on', true), set_config('role', ${appRole}, true)`,
        effect
      )
    ))

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
