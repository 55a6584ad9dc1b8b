import { Context, type DateTime, type Effect, type Option } from "effect"
import type { GuildId, TenantId } from "../ids.js"
import type { TenantNotFound } from "../tenancy/errors.js"
import type { Guild } from "../tenancy/Guild.js"
import type { InstallOutcome, InstallState } from "../tenancy/Install.js"

export interface GuildRepoService {
  /**
   * Reads the install state of `guildId` for `tenantId` while holding the
   * tenant's lock, runs `decide` on it, and stores the guild it returns, all
   * atomically: two concurrent installs can never both pass the guild limit
   * or both claim the same guild.
   */
  readonly install: <E>(
    tenantId: TenantId,
    guildId: GuildId,
    decide: (state: InstallState) => Effect.Effect<InstallOutcome, E>
  ) => Effect.Effect<InstallOutcome, E | TenantNotFound>
  /** Marks the tenant's guild removed (keeping its config) and frees it for other tenants. */
  readonly remove: (
    tenantId: TenantId,
    guildId: GuildId,
    removedAt: DateTime.Utc
  ) => Effect.Effect<Option.Option<Guild>>
  /** The tenant's own row for the guild, installed or removed. */
  readonly find: (tenantId: TenantId, guildId: GuildId) => Effect.Effect<Option.Option<Guild>>
  /** Across tenants (operator use): the installed row, else the most recently removed one. */
  readonly findAnyTenant: (guildId: GuildId) => Effect.Effect<Option.Option<Guild>>
  /** The tenant's guilds, installed and removed, by guild id. */
  readonly listByTenant: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<Guild>>
}

export class GuildRepo extends Context.Tag("core/GuildRepo")<GuildRepo, GuildRepoService>() {}
