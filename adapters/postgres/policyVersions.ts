import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { allGuilds, type GuildId, type TenantId } from "../../core/index.js"

/**
 * How every write that changes a guild's policy bumps its version and
 * announces it. The NOTIFY is sent with pg_notify inside the writer's
 * transaction, so Postgres delivers it at commit, after the write is visible,
 * and never for a write that rolled back.
 */

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
    ))

/**
 * Bumps every guild's version at once (each adds the platform's version) and
 * announces `allGuilds`. Runs inside `asPlatform`.
 */
export const bumpAllGuilds = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`
    WITH bumped AS (UPDATE platform_policy_version SET version = version + 1 RETURNING version)
    SELECT pg_notify(${policyChannel}, ${allGuilds})::text AS notified FROM bumped
  `)
