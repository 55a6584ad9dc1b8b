import { Effect, Layer, Option } from "effect"
import {
  EntitlementRepo,
  type GuildId,
  GuildNotFound,
  type HeldAddOn,
  type Override,
  type TenantId,
  TenantNotFound
} from "../../core/index.js"
import { guildKey, MemoryStore } from "./MemoryStore.js"
import { heldAddOnOrder, overrideOrder } from "./ordering.js"
import { bumpGuild, bumpTenant, writePolicy, type Written } from "./policyVersions.js"

export const EntitlementRepoMemory = Layer.effect(
  EntitlementRepo,
  Effect.map(MemoryStore, (store) => {
    const { tables } = store
    const ownRows = <A>(table: Map<TenantId, Map<string, A>>, tenantId: TenantId) => {
      const rows = table.get(tenantId) ?? new Map<string, A>()
      table.set(tenantId, rows)
      return rows
    }
    /** A guild override changes its guild's policy; a tenant-wide one every guild of the tenant. */
    const bumpAffected = (tenantId: TenantId, guildId: GuildId | null): ReadonlyArray<GuildId> =>
      guildId === null ? bumpTenant(tables, tenantId) : bumpGuild(tables, tenantId, guildId) ? [guildId] : []

    return EntitlementRepo.of({
      createOverride: (override) =>
        writePolicy(
          store,
          Effect.suspend((): Effect.Effect<Written<Override>, TenantNotFound | GuildNotFound> => {
            if (!tables.tenants.has(override.tenantId)) return Effect.fail(TenantNotFound.of(override.tenantId))
            if (override.guildId !== null && !tables.guilds.has(guildKey(override.tenantId, override.guildId))) {
              return Effect.fail(GuildNotFound.of(override.guildId))
            }
            ownRows(tables.overrides, override.tenantId).set(override.id, override)
            return Effect.succeed([override, bumpAffected(override.tenantId, override.guildId)] as const)
          })
        ),
      listOverrides: (tenantId) =>
        Effect.sync(() => Array.from(tables.overrides.get(tenantId)?.values() ?? []).sort(overrideOrder)),
      removeOverride: (tenantId, id) =>
        writePolicy(
          store,
          Effect.sync((): Written<Option.Option<Override>> => {
            const removed = Option.fromNullable(tables.overrides.get(tenantId)?.get(id))
            if (Option.isNone(removed)) return [removed, []] as const
            tables.overrides.get(tenantId)!.delete(id)
            return [removed, bumpAffected(tenantId, removed.value.guildId)] as const
          })
        ),
      setHeldAddOn: (held) =>
        writePolicy(
          store,
          Effect.suspend(() => {
            if (!tables.tenants.has(held.tenantId)) return Effect.fail(TenantNotFound.of(held.tenantId))
            ownRows(tables.heldAddOns, held.tenantId).set(held.addOnKey, held)
            return Effect.succeed([held, bumpTenant(tables, held.tenantId)] as const)
          })
        ),
      removeHeldAddOn: (tenantId, addOnKey) =>
        writePolicy(
          store,
          Effect.sync((): Written<Option.Option<HeldAddOn>> => {
            const removed = Option.fromNullable(tables.heldAddOns.get(tenantId)?.get(addOnKey))
            if (Option.isNone(removed)) return [removed, []] as const
            tables.heldAddOns.get(tenantId)!.delete(addOnKey)
            return [removed, bumpTenant(tables, tenantId)] as const
          })
        ),
      listHeldAddOns: (tenantId) =>
        Effect.sync(() => Array.from(tables.heldAddOns.get(tenantId)?.values() ?? []).sort(heldAddOnOrder))
    })
  })
)
