import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { type UserId, XpStore } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { instantParam } from "./rows.js"
import { inTenant } from "./TenantScope.js"

/**
 * XpStore on Postgres. An award is one conditional upsert: the row is
 * updated only when its last award is at least the cooldown old, and the
 * conflicting row's lock makes a concurrent award wait and re-check that
 * condition against the committed row, so one cooldown awards exactly once.
 */
export const XpStoreSql = Layer.effect(
  XpStore,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)

    return XpStore.of({
      award: ({ cooldownSeconds, guildId, now, points, tenantId, userId }) =>
        Effect.gen(function*() {
          const awarded = yield* sql<{ points: string | number }>`
            INSERT INTO xp_members (tenant_id, guild_id, user_id, points, last_awarded_at)
            VALUES (${tenantId}, ${guildId}, ${userId}, ${points}::bigint, ${instantParam(now)}::timestamptz)
            ON CONFLICT (tenant_id, guild_id, user_id) DO UPDATE SET
              points = xp_members.points + excluded.points, last_awarded_at = excluded.last_awarded_at
            WHERE xp_members.last_awarded_at <= excluded.last_awarded_at - make_interval(secs => ${cooldownSeconds})
            RETURNING points
          `
          if (awarded.length > 0) {
            const total = Number(awarded[0]!.points)
            return { awarded: true, total, previousTotal: total - points }
          }
          // In the cooldown. A statement of its own: it sees the row a concurrent award just committed.
          const current = yield* sql<{ points: string | number }>`
            SELECT points FROM xp_members WHERE tenant_id = ${tenantId} AND guild_id = ${guildId} AND user_id = ${userId}
          `
          const total = Number(current[0]?.points ?? 0)
          return { awarded: false, total, previousTotal: total }
        }).pipe(inTenant(tenantId), boundary),
      get: (tenantId, guildId, userId) =>
        sql<{ points: string | number; rank: string | number }>`
          SELECT m.points,
                 1 + (SELECT count(*) FROM xp_members o
                      WHERE o.tenant_id = m.tenant_id AND o.guild_id = m.guild_id AND o.points > m.points) AS rank
          FROM xp_members m
          WHERE m.tenant_id = ${tenantId} AND m.guild_id = ${guildId} AND m.user_id = ${userId}
        `.pipe(
          Effect.map((rows) =>
            Option.map(Option.fromNullable(rows[0]), (row) => ({
              points: Number(row.points),
              rank: Number(row.rank)
            }))
          ),
          inTenant(tenantId),
          boundary
        ),
      leaderboard: (tenantId, guildId, { limit, offset }) =>
        sql<{ user_id: string; points: string | number }>`
          SELECT user_id, points FROM xp_members
          WHERE tenant_id = ${tenantId} AND guild_id = ${guildId}
          ORDER BY points DESC, user_id COLLATE "C"
          LIMIT ${limit} OFFSET ${offset}
        `.pipe(
          Effect.map((rows) => rows.map((row) => ({ userId: row.user_id as UserId, points: Number(row.points) }))),
          inTenant(tenantId),
          boundary
        ),
      reset: (tenantId, guildId, userId) =>
        sql`
          DELETE FROM xp_members WHERE tenant_id = ${tenantId} AND guild_id = ${guildId} AND user_id = ${userId}
          RETURNING 1
        `.pipe(Effect.map((rows) => rows.length > 0), inTenant(tenantId), boundary)
    })
  })
)
