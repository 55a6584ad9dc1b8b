import { Context, type Effect } from "effect"
import type { GuildFeatureState } from "../guardrail/PolicySource.js"
import type { GuildId, TenantId } from "../ids.js"
import type { GuildNotFound } from "../tenancy/errors.js"

/**
 * Feature toggles and configs per guild. Every write bumps the guild's policy
 * version and announces the change in the same transaction.
 */
export interface GuildFeatureRepoService {
  /** Stores the feature's state in the tenant's guild (installed or removed); GuildNotFound if it has no such guild. */
  readonly set: (
    tenantId: TenantId,
    guildId: GuildId,
    state: GuildFeatureState
  ) => Effect.Effect<GuildFeatureState, GuildNotFound>
  /** The guild's features by key; empty for a guild the tenant does not have. */
  readonly list: (tenantId: TenantId, guildId: GuildId) => Effect.Effect<ReadonlyArray<GuildFeatureState>>
}

export class GuildFeatureRepo
  extends Context.Tag("core/GuildFeatureRepo")<GuildFeatureRepo, GuildFeatureRepoService>()
{}
