import { Context, type DateTime, type Effect, type Option, Schema } from "effect"
import { GuildId, TenantId, UserId } from "../ids.js"

/** A tenant's claim on a guild from an invite callback, waiting for the bot to see the guild join. */
export class GuildClaim extends Schema.Class<GuildClaim>("GuildClaim")({
  guildId: GuildId,
  tenantId: TenantId,
  claimedAt: Schema.DateTimeUtc,
  /** After this the claim is ignored: a join that late needs a new invite or the operator. */
  expiresAt: Schema.DateTimeUtc
}) {}

/** A guild the bot is in that no tenant has claimed (it joined without an invite state). */
export class UnclaimedGuild extends Schema.Class<UnclaimedGuild>("UnclaimedGuild")({
  guildId: GuildId,
  name: Schema.String,
  ownerId: UserId,
  /** When the bot first saw it; later sightings keep it. */
  seenAt: Schema.DateTimeUtc
}) {}

/**
 * Claims and unclaimed guilds. Platform-level: the gateway reads them before
 * any tenant is known, so no method is scoped to a tenant (claims still carry theirs).
 */
export interface GuildClaimRepoService {
  /** Stores the claim, replacing the same tenant's earlier claim on the guild. */
  readonly putClaim: (claim: GuildClaim) => Effect.Effect<void>
  /** The most recent claim on the guild that has not expired at `now`, from any tenant. */
  readonly pendingClaim: (guildId: GuildId, now: DateTime.Utc) => Effect.Effect<Option.Option<GuildClaim>>
  /** Drops every tenant's claim on the guild (it was installed, or the bot left it). */
  readonly deleteClaims: (guildId: GuildId) => Effect.Effect<void>
  /** Drops claims that expired before `now`; answers how many. */
  readonly purgeExpiredClaims: (now: DateTime.Utc) => Effect.Effect<number>
  /**
   * Records the guild as unclaimed, or refreshes its name and owner (keeping
   * `seenAt`) when it already is. Answers the stored guild, and whether this
   * is its first sighting.
   */
  readonly markUnclaimed: (
    guild: UnclaimedGuild
  ) => Effect.Effect<{ readonly guild: UnclaimedGuild; readonly firstSeen: boolean }>
  readonly findUnclaimed: (guildId: GuildId) => Effect.Effect<Option.Option<UnclaimedGuild>>
  /** Unclaimed guilds, oldest sighting first. */
  readonly listUnclaimed: (limit: number) => Effect.Effect<ReadonlyArray<UnclaimedGuild>>
  readonly deleteUnclaimed: (guildId: GuildId) => Effect.Effect<void>
}

export class GuildClaimRepo extends Context.Tag("core/GuildClaimRepo")<GuildClaimRepo, GuildClaimRepoService>() {}
