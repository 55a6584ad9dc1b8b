import { DateTime, Effect, Layer, Option } from "effect"
import { type GuildId, type TenantId, type UserId, XpStore } from "../../core/index.js"
import { compareCodeUnits } from "./ordering.js"

interface Member {
  readonly userId: UserId
  readonly points: number
  readonly lastAwardedAt: DateTime.Utc
}

const guildKey = (tenantId: TenantId, guildId: GuildId) => `${tenantId}/${guildId}`

/** XpStore in memory, with a store of its own. Effects run without yielding, so an award is atomic. */
export const XpStoreMemory = Layer.sync(XpStore, () => {
  const guilds = new Map<string, Map<UserId, Member>>()
  const membersOf = (tenantId: TenantId, guildId: GuildId) => {
    const key = guildKey(tenantId, guildId)
    const found = guilds.get(key)
    if (found !== undefined) return found
    const created = new Map<UserId, Member>()
    guilds.set(key, created)
    return created
  }

  return XpStore.of({
    award: ({ cooldownSeconds, guildId, now, points, tenantId, userId }) =>
      Effect.sync(() => {
        const members = membersOf(tenantId, guildId)
        const member = members.get(userId)
        const previousTotal = member?.points ?? 0
        const due = member === undefined ||
          DateTime.toEpochMillis(member.lastAwardedAt) <= DateTime.toEpochMillis(now) - cooldownSeconds * 1_000
        if (!due) return { awarded: false, total: previousTotal, previousTotal }
        const total = previousTotal + points
        members.set(userId, { userId, points: total, lastAwardedAt: now })
        return { awarded: true, total, previousTotal }
      }),
    get: (tenantId, guildId, userId) =>
      Effect.sync(() => {
        const members = membersOf(tenantId, guildId)
        return Option.map(Option.fromNullable(members.get(userId)), ({ points }) => ({
          points,
          rank: 1 + Array.from(members.values()).filter((other) => other.points > points).length
        }))
      }),
    leaderboard: (tenantId, guildId, { limit, offset }) =>
      Effect.sync(() =>
        Array.from(membersOf(tenantId, guildId).values())
          .sort((a, b) => b.points - a.points || compareCodeUnits(a.userId, b.userId))
          .slice(offset, offset + limit)
          .map(({ points, userId }) => ({ userId, points }))
      ),
    reset: (tenantId, guildId, userId) => Effect.sync(() => membersOf(tenantId, guildId).delete(userId))
  })
})
