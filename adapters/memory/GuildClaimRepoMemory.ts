import { DateTime, Effect, Layer, Option } from "effect"
import { type GuildClaim, GuildClaimRepo, type GuildId, UnclaimedGuild } from "../../core/index.js"
import { compareCodeUnits } from "./ordering.js"

/** Newest claim first; the same instant is broken by tenant id, as GuildClaimRepoSql orders them. */
const newestFirst = (a: GuildClaim, b: GuildClaim) =>
  DateTime.toEpochMillis(b.claimedAt) - DateTime.toEpochMillis(a.claimedAt) ||
  compareCodeUnits(a.tenantId, b.tenantId)

/** Platform-level tables of its own: nothing else in the memory store reads them. */
export const GuildClaimRepoMemory = Layer.sync(GuildClaimRepo, () => {
  /** Keyed by `${tenantId}/${guildId}`, like the (tenant_id, guild_id) primary key. */
  const claims = new Map<string, GuildClaim>()
  const unclaimed = new Map<GuildId, UnclaimedGuild>()

  return GuildClaimRepo.of({
    putClaim: (claim) => Effect.sync(() => void claims.set(`${claim.tenantId}/${claim.guildId}`, claim)),
    pendingClaim: (guildId, now) =>
      Effect.sync(() =>
        Option.fromNullable(
          Array.from(claims.values())
            .filter((claim) => claim.guildId === guildId && DateTime.lessThan(now, claim.expiresAt))
            .sort(newestFirst)[0]
        )
      ),
    deleteClaims: (guildId) =>
      Effect.sync(() => {
        for (const [key, claim] of claims) if (claim.guildId === guildId) claims.delete(key)
      }),
    purgeExpiredClaims: (now) =>
      Effect.sync(() => {
        let purged = 0
        for (const [key, claim] of claims) {
          if (!DateTime.lessThan(now, claim.expiresAt)) {
            claims.delete(key)
            purged += 1
          }
        }
        return purged
      }),
    markUnclaimed: (guild) =>
      Effect.sync(() => {
        const existing = unclaimed.get(guild.guildId)
        const stored = existing ? UnclaimedGuild.make({ ...guild, seenAt: existing.seenAt }) : guild
        unclaimed.set(guild.guildId, stored)
        return { guild: stored, firstSeen: existing === undefined }
      }),
    findUnclaimed: (guildId) => Effect.sync(() => Option.fromNullable(unclaimed.get(guildId))),
    listUnclaimed: (limit) =>
      Effect.sync(() =>
        Array.from(unclaimed.values())
          .sort((a, b) =>
            DateTime.toEpochMillis(a.seenAt) - DateTime.toEpochMillis(b.seenAt) ||
            compareCodeUnits(a.guildId, b.guildId)
          )
          .slice(0, limit)
      ),
    deleteUnclaimed: (guildId) => Effect.sync(() => void unclaimed.delete(guildId))
  })
})
