import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { GuildClaim, GuildClaimRepo, UnclaimedGuild } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, instantParam } from "./rows.js"
import { asPlatform } from "./TenantScope.js"

const claimColumns = "tenant_id, guild_id, claimed_at, expires_at"
const unclaimedColumns = "guild_id, name, owner_id, seen_at"

const decodeClaim = decodeFirst(GuildClaim)
const decodeUnclaimed = decodeFirst(UnclaimedGuild)
const decodeUnclaimedList = decodeAll(UnclaimedGuild)

/** Claims and unclaimed guilds are read before any tenant is known: platform context throughout. */
export const GuildClaimRepoSql = Layer.effect(
  GuildClaimRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)
    const platform = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) => boundary(asPlatform(effect))

    return GuildClaimRepo.of({
      putClaim: (claim) =>
        platform(sql`
          INSERT INTO guild_claims (tenant_id, guild_id, claimed_at, expires_at)
          VALUES (${claim.tenantId}, ${claim.guildId}, ${instantParam(claim.claimedAt)}, ${
          instantParam(claim.expiresAt)
        })
          ON CONFLICT (tenant_id, guild_id)
          DO UPDATE SET claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at
        `.pipe(Effect.asVoid)),
      pendingClaim: (guildId, now) =>
        platform(
          sql`
            SELECT ${sql.literal(claimColumns)} FROM guild_claims
            WHERE guild_id = ${guildId} AND expires_at > ${instantParam(now)}
            ORDER BY claimed_at DESC, tenant_id
            LIMIT 1
          `.pipe(decodeClaim)
        ),
      deleteClaims: (guildId) =>
        platform(sql`DELETE FROM guild_claims WHERE guild_id = ${guildId}`.pipe(Effect.asVoid)),
      purgeExpiredClaims: (now) =>
        platform(
          sql`DELETE FROM guild_claims WHERE expires_at <= ${instantParam(now)} RETURNING guild_id`.pipe(
            Effect.map((rows) => rows.length)
          )
        ),
      markUnclaimed: (guild) =>
        platform(
          // xmax = 0 only on a freshly inserted row: an update of an existing one sets it.
          Effect.gen(function*() {
            const rows = yield* sql`
              INSERT INTO unclaimed_guilds (guild_id, name, owner_id, seen_at)
              VALUES (${guild.guildId}, ${guild.name}, ${guild.ownerId}, ${instantParam(guild.seenAt)})
              ON CONFLICT (guild_id) DO UPDATE SET name = EXCLUDED.name, owner_id = EXCLUDED.owner_id
              RETURNING ${sql.literal(unclaimedColumns)}, (xmax = 0) AS inserted
            `
            const stored = yield* decodeUnclaimed(Effect.succeed(rows))
            return { guild: Option.getOrThrow(stored), firstSeen: rows[0]?.inserted === true }
          })
        ),
      findUnclaimed: (guildId) =>
        platform(
          sql`SELECT ${sql.literal(unclaimedColumns)} FROM unclaimed_guilds WHERE guild_id = ${guildId}`.pipe(
            decodeUnclaimed
          )
        ),
      listUnclaimed: (limit) =>
        platform(
          sql`
            SELECT ${sql.literal(unclaimedColumns)} FROM unclaimed_guilds
            ORDER BY seen_at, guild_id COLLATE "C"
            LIMIT ${limit}
          `.pipe(decodeUnclaimedList)
        ),
      deleteUnclaimed: (guildId) =>
        platform(sql`DELETE FROM unclaimed_guilds WHERE guild_id = ${guildId}`.pipe(Effect.asVoid))
    })
  })
)
