import { type DateTime, Effect, Option } from "effect"
import type { GuildId, TenantId, UserId } from "../ids.js"
import { fitsWithin, type Plan } from "../plans/Plan.js"
import { GuildLimitReached, GuildOwnedByAnotherTenant, TenantNotWritable } from "./errors.js"
import { Guild } from "./Guild.js"
import type { GuildConfigLayer } from "./GuildConfig.js"
import { acceptsWrites, type Tenant } from "./Tenant.js"

export interface InstallRequest {
  readonly tenantId: TenantId
  readonly guildId: GuildId
  readonly name: string
  readonly ownerId: UserId
  /** The guild's override layer; omitted keeps the stored one (a reinstall restores it). */
  readonly config?: GuildConfigLayer | undefined
}

/** What an install is decided on, read under the tenant's lock so the guild limit is exact. */
export interface InstallState {
  readonly tenant: Tenant
  /** The tenant that has this guild installed right now, if any. */
  readonly currentOwner: Option.Option<TenantId>
  /** This tenant's own row for the guild, installed or removed. */
  readonly existing: Option.Option<Guild>
  /** How many guilds the tenant has installed right now. */
  readonly installedCount: number
}

export type InstallOutcome =
  | { readonly _tag: "Installed"; readonly guild: Guild }
  | { readonly _tag: "Restored"; readonly guild: Guild }
  | { readonly _tag: "Updated"; readonly guild: Guild }

export type InstallError = GuildOwnedByAnotherTenant | GuildLimitReached | TenantNotWritable

/**
 * The tenancy rules for installing a guild: a guild belongs to one tenant, a
 * removed guild comes back with its config, and a new install must fit the
 * plan's guild limit. Updating an installed guild never counts against it.
 */
export const decideInstall = (
  state: InstallState,
  request: InstallRequest,
  plan: Plan,
  now: DateTime.Utc
): Effect.Effect<InstallOutcome, InstallError> => {
  const { tenant } = state
  if (!acceptsWrites(tenant)) return Effect.fail(TenantNotWritable.of(tenant.id, tenant.status))
  if (Option.isSome(state.currentOwner) && state.currentOwner.value !== tenant.id) {
    return Effect.fail(GuildOwnedByAnotherTenant.of(request.guildId))
  }
  const existing = Option.getOrUndefined(state.existing)
  if (existing?.status === "installed") {
    return Effect.succeed({
      _tag: "Updated",
      guild: Guild.make({
        ...existing,
        name: request.name,
        ownerId: request.ownerId,
        config: request.config ?? existing.config
      })
    })
  }
  if (!fitsWithin(plan.limits.maxGuilds, state.installedCount)) {
    return Effect.fail(GuildLimitReached.of(tenant.id, plan.key, plan.limits.maxGuilds))
  }
  const guild = Guild.make({
    tenantId: tenant.id,
    guildId: request.guildId,
    name: request.name,
    ownerId: request.ownerId,
    status: "installed",
    config: request.config ?? existing?.config ?? {},
    installedAt: now,
    removedAt: null
  })
  return Effect.succeed(existing ? { _tag: "Restored", guild } : { _tag: "Installed", guild })
}
