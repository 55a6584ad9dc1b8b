import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { EntitlementRepo, GuildNotFound, HeldAddOn, Override, type TenantId, TenantNotFound } from "../../core/index.js"
import { heldAddOnColumns, overrideColumns } from "./policyRows.js"
import { bumpPolicy } from "./policyVersions.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, instantParam, jsonParam, nullableInstantParam } from "./rows.js"
import { inTenant } from "./TenantScope.js"

const decodeOverrides = decodeAll(Override)
const decodeOverride = decodeFirst(Override)
const decodeHeldAddOns = decodeAll(HeldAddOn)
const decodeHeldAddOn = decodeFirst(HeldAddOn)

export const EntitlementRepoSql = Layer.effect(
  EntitlementRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)

    const tenantMustExist = (tenantId: TenantId) =>
      Effect.flatMap(
        sql`SELECT id FROM tenants WHERE id = ${tenantId}`,
        (found) => found.length === 0 ? TenantNotFound.of(tenantId) : Effect.void
      )

    return EntitlementRepo.of({
      createOverride: (override) =>
        Effect.gen(function*() {
          yield* tenantMustExist(override.tenantId)
          // A guild override changes its guild's policy; a tenant-wide one every guild of the tenant.
          const bumped = yield* bumpPolicy(override.tenantId, override.guildId)
          if (override.guildId !== null && bumped.length === 0) return yield* GuildNotFound.of(override.guildId)
          const [created] = yield* sql`
            INSERT INTO plan_overrides (${sql.literal(overrideColumns)})
            VALUES (${override.tenantId}, ${override.id}, ${override.guildId}, ${override.planKey},
                    ${jsonParam(override.features)}::jsonb, ${jsonParam(override.limits)}::jsonb, ${override.reason},
                    ${nullableInstantParam(override.expiresAt)}, ${instantParam(override.createdAt)})
            RETURNING ${sql.literal(overrideColumns)}
          `.pipe(decodeOverrides)
          return created!
        }).pipe(inTenant(override.tenantId), boundary),
      listOverrides: (tenantId) =>
        sql`
          SELECT ${sql.literal(overrideColumns)} FROM plan_overrides WHERE tenant_id = ${tenantId}
          ORDER BY created_at, id
        `.pipe(decodeOverrides, inTenant(tenantId), boundary),
      removeOverride: (tenantId, id) =>
        Effect.gen(function*() {
          const removed = yield* sql`
            DELETE FROM plan_overrides WHERE tenant_id = ${tenantId} AND id = ${id}
            RETURNING ${sql.literal(overrideColumns)}
          `.pipe(decodeOverride)
          if (Option.isSome(removed)) yield* bumpPolicy(tenantId, removed.value.guildId)
          return removed
        }).pipe(inTenant(tenantId), boundary),
      setHeldAddOn: (held) =>
        Effect.gen(function*() {
          yield* tenantMustExist(held.tenantId)
          const [stored] = yield* sql`
            INSERT INTO held_add_ons (${sql.literal(heldAddOnColumns)})
            VALUES (${held.tenantId}, ${held.addOnKey}, ${held.quantity}, ${nullableInstantParam(held.expiresAt)})
            ON CONFLICT (tenant_id, add_on_key) DO UPDATE SET
              quantity = excluded.quantity, expires_at = excluded.expires_at
            RETURNING ${sql.literal(heldAddOnColumns)}
          `.pipe(decodeHeldAddOns)
          yield* bumpPolicy(held.tenantId, null)
          return stored!
        }).pipe(inTenant(held.tenantId), boundary),
      removeHeldAddOn: (tenantId, addOnKey) =>
        Effect.gen(function*() {
          const removed = yield* sql`
            DELETE FROM held_add_ons WHERE tenant_id = ${tenantId} AND add_on_key = ${addOnKey}
            RETURNING ${sql.literal(heldAddOnColumns)}
          `.pipe(decodeHeldAddOn)
          if (Option.isSome(removed)) yield* bumpPolicy(tenantId, null)
          return removed
        }).pipe(inTenant(tenantId), boundary),
      listHeldAddOns: (tenantId) =>
        sql`
          SELECT ${sql.literal(heldAddOnColumns)} FROM held_add_ons WHERE tenant_id = ${tenantId}
          ORDER BY add_on_key COLLATE "C"
        `.pipe(decodeHeldAddOns, inTenant(tenantId), boundary)
    })
  })
)
