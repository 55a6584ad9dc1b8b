import { Context, DateTime, Effect, Layer, Option } from "effect"
import type { GuildId, TenantId } from "../ids.js"
import { EntitlementRepo } from "../ports/EntitlementRepo.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { TenantNotFound } from "../tenancy/errors.js"
import { type Entitlements, resolveEntitlements } from "./Entitlements.js"
import { PlanCatalog } from "./PlanCatalog.js"

const make = Effect.gen(function*() {
  const tenants = yield* TenantRepo
  const grants = yield* EntitlementRepo
  const catalog = yield* PlanCatalog

  /** What the tenant's guild (or, with null, the tenant as a whole) may use now, read from the stores. */
  const resolve = (tenantId: TenantId, guildId: GuildId | null): Effect.Effect<Entitlements, TenantNotFound> =>
    Effect.gen(function*() {
      const tenant = yield* tenants.findById(tenantId)
      if (Option.isNone(tenant)) return yield* TenantNotFound.of(tenantId)
      const [held, overrides, now] = yield* Effect.all([
        grants.listHeldAddOns(tenantId),
        grants.listOverrides(tenantId),
        DateTime.now
      ])
      return resolveEntitlements({
        tenant: tenant.value,
        guildId,
        plans: catalog.plansByKey,
        addOns: catalog.addOnsByKey,
        held,
        overrides,
        now
      })
    })

  return { resolve } as const
})

/**
 * Entitlements read from the stores, for writes and views (enabling a
 * feature, an asset's page). The guardrail reads them from its snapshot instead.
 */
export interface GuildEntitlementsService {
  /** What the tenant's guild (or, with null, the tenant as a whole) may use now, read from the stores. */
  readonly resolve: (tenantId: TenantId, guildId: GuildId | null) => Effect.Effect<Entitlements, TenantNotFound>
}

export class GuildEntitlements
  extends Context.Tag("core/GuildEntitlements")<GuildEntitlements, GuildEntitlementsService>()
{
  static readonly layer = Layer.effect(GuildEntitlements, make)
}
