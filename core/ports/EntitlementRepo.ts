import { Context, type Effect, type Option } from "effect"
import type { TenantId } from "../ids.js"
import type { AddOnKey, HeldAddOn } from "../plans/AddOn.js"
import type { Override, OverrideId } from "../plans/Override.js"
import type { GuildNotFound, TenantNotFound } from "../tenancy/errors.js"

/**
 * Operator overrides and the add-ons a tenant holds. A write bumps the policy
 * version of every guild it affects (all the tenant's guilds for a tenant-wide
 * change, one guild for a guild override) and announces them in the same transaction.
 */
export interface EntitlementRepoService {
  /** Stores a new override; GuildNotFound when it names a guild the tenant does not have. */
  readonly createOverride: (override: Override) => Effect.Effect<Override, TenantNotFound | GuildNotFound>
  /** The tenant's overrides, tenant-wide and per guild, by creation time then id. */
  readonly listOverrides: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<Override>>
  /** The removed override; None (and no version bump) when the tenant has no such override. */
  readonly removeOverride: (tenantId: TenantId, id: OverrideId) => Effect.Effect<Option.Option<Override>>
  /** Sets the tenant's holding of an add-on (quantity and expiry), replacing any previous one. */
  readonly setHeldAddOn: (held: HeldAddOn) => Effect.Effect<HeldAddOn, TenantNotFound>
  /** The removed holding; None (and no version bump) when the tenant does not hold the add-on. */
  readonly removeHeldAddOn: (tenantId: TenantId, addOnKey: AddOnKey) => Effect.Effect<Option.Option<HeldAddOn>>
  /** The tenant's add-ons by key. */
  readonly listHeldAddOns: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<HeldAddOn>>
}

export class EntitlementRepo extends Context.Tag("core/EntitlementRepo")<EntitlementRepo, EntitlementRepoService>() {}
