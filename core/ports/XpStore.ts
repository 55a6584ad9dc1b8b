import { Context, type DateTime, type Effect, type Option } from "effect"
import type { GuildId, TenantId, UserId } from "../ids.js"

/** One message's worth of points, given only when the member's last award is at least the cooldown old. */
export interface XpAward {
  readonly tenantId: TenantId
  readonly guildId: GuildId
  readonly userId: UserId
  readonly points: number
  readonly cooldownSeconds: number
  readonly now: DateTime.Utc
}

export interface XpAwardResult {
  /** False: still in the cooldown, nothing changed. */
  readonly awarded: boolean
  /** The member's points after this call. */
  readonly total: number
  /** The member's points before it (equal to total when not awarded). */
  readonly previousTotal: number
}

/** A member's points and place: 1 + how many members of the guild have more points (ties share a place). */
export interface XpStanding {
  readonly points: number
  readonly rank: number
}

export interface XpLeaderboardEntry {
  readonly userId: UserId
  readonly points: number
}

export interface XpStoreService {
  /**
   * Adds `points` when the member's last award is at least `cooldownSeconds`
   * before `now` (or there is none), in one atomic step: concurrent awards
   * within one cooldown award exactly once.
   */
  readonly award: (award: XpAward) => Effect.Effect<XpAwardResult>
  /** None: the member never earned points here (or was reset). */
  readonly get: (tenantId: TenantId, guildId: GuildId, userId: UserId) => Effect.Effect<Option.Option<XpStanding>>
  /** Most points first, ties by user id. */
  readonly leaderboard: (
    tenantId: TenantId,
    guildId: GuildId,
    page: { readonly offset: number; readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<XpLeaderboardEntry>>
  /** Forgets the member's points (and cooldown); false when there were none. */
  readonly reset: (tenantId: TenantId, guildId: GuildId, userId: UserId) => Effect.Effect<boolean>
}

/** Members' XP per guild. */
export class XpStore extends Context.Tag("core/XpStore")<XpStore, XpStoreService>() {}
