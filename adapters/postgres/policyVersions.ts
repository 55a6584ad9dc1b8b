import { SqlClient, type SqlConnection } from "@effect/sql"
import { Effect, Option, PubSub, type Scope } from "effect"
import { allGuilds, type GuildId, type PolicyChange, type TenantId } from "../../core/index.js"

/**
 * How every write that changes a guild's policy bumps its version and
 * announces it. The NOTIFY is sent with pg_notify inside the writer's
 * transaction, so Postgres delivers it at commit, after the write is visible,
 * and never for a write that rolled back.
 *
 * The NOTIFY reaches this process's own PolicyStoreSql a moment after the
 * commit, over its listening connection, and later still when Postgres is
 * busy: a caller that acts right after its own write (an admin allows a
 * command, then the member runs it) could meet the old snapshot. So each
 * transaction also remembers what it bumped, and TenantScope announces it
 * in process once COMMIT has succeeded, to every PolicyStoreSql built on the
 * same client (ADR 092). Other replicas still rely on the NOTIFY.
 */

/** What each open transaction bumped, by its connection. */
const bumpedBy = new WeakMap<SqlConnection.Connection, Set<PolicyChange>>()

/** The in-process feeds of each client: one per PolicyStoreSql built on it. */
const feedsOf = new WeakMap<SqlClient.SqlClient, Set<PubSub.PubSub<PolicyChange>>>()

const remember = (changes: ReadonlyArray<PolicyChange>) =>
  Effect.map(
    Effect.serviceOption(SqlClient.TransactionConnection),
    Option.map(([conn]) => {
      const bumped = bumpedBy.get(conn) ?? new Set()
      for (const change of changes) bumped.add(change)
      bumpedBy.set(conn, bumped)
    })
  )

/** Forgets what the transaction on `conn` bumped: it rolled back, or a new one begins. */
export const forgetBumps = (conn: SqlConnection.Connection): Effect.Effect<void> =>
  Effect.sync(() => bumpedBy.delete(conn))

/** After `conn`'s transaction committed: publishes what it bumped to the feeds of `sql`. */
export const announceCommittedBumps = (
  sql: SqlClient.SqlClient,
  conn: SqlConnection.Connection
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const bumped = bumpedBy.get(conn)
    bumpedBy.delete(conn)
    const feeds = feedsOf.get(sql)
    if (bumped === undefined || feeds === undefined) return Effect.void
    return Effect.forEach(feeds, (feed) => PubSub.publishAll(feed, bumped), { discard: true })
  })

/** Publishes to `feed` what transactions on `sql` commit in this process, for as long as the scope lasts. */
export const hearCommittedBumps = (
  sql: SqlClient.SqlClient,
  feed: PubSub.PubSub<PolicyChange>
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const feeds = feedsOf.get(sql) ?? new Set()
      feeds.add(feed)
      feedsOf.set(sql, feeds)
    }),
    () => Effect.sync(() => feedsOf.get(sql)?.delete(feed))
  )

/** The LISTEN/NOTIFY channel; a payload is a guild id, or `allGuilds`. */
export const policyChannel = "guildhall_policy"

/**
 * Bumps the policy version of the tenant's guild, or of every guild of the
 * tenant when `guildId` is null, and announces each. Runs inside `inTenant`.
 * Returns the guilds bumped: none when the tenant has no such guild.
 */
export const bumpPolicy = (tenantId: TenantId, guildId: GuildId | null) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ guild_id: GuildId }>`
        WITH bumped AS (
          INSERT INTO guild_policy_versions AS current (tenant_id, guild_id, version)
          SELECT tenant_id, guild_id, 1 FROM guilds
          WHERE tenant_id = ${tenantId} AND guild_id = coalesce(${guildId}::text, guild_id)
          ON CONFLICT (tenant_id, guild_id) DO UPDATE SET version = current.version + 1
          RETURNING guild_id
        )
        SELECT guild_id, pg_notify(${policyChannel}, guild_id)::text AS notified FROM bumped
      `,
      (rows) => rows.map((row) => row.guild_id)
    ).pipe(Effect.tap(remember)))

/**
 * Bumps every guild's version at once (each adds the platform's version) and
 * announces `allGuilds`. Runs inside `asPlatform`.
 */
export const bumpAllGuilds = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`
    WITH bumped AS (UPDATE platform_policy_version SET version = version + 1 RETURNING version)
    SELECT pg_notify(${policyChannel}, ${allGuilds})::text AS notified FROM bumped
  `.pipe(Effect.zipLeft(remember([allGuilds]))))
