import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { Tenant, TenantRepo } from "../../core/index.js"
import { bumpPolicy } from "./policyVersions.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, instantParam, jsonParam } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

export const tenantColumns = "id, name, mode, status, plan_key, guild_defaults, created_at"

export const decodeTenants = decodeAll(Tenant)
export const decodeTenant = decodeFirst(Tenant)

export const TenantRepoSql = Layer.effect(
  TenantRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)
    return TenantRepo.of({
      insert: (tenant) =>
        sql`
          INSERT INTO tenants (id, name, mode, status, plan_key, guild_defaults, created_at)
          VALUES (${tenant.id}, ${tenant.name}, ${tenant.mode}, ${tenant.status}, ${tenant.planKey},
                  ${jsonParam(tenant.guildDefaults)}::jsonb, ${instantParam(tenant.createdAt)})
        `.pipe(Effect.asVoid, asPlatform, boundary),
      findById: (id) =>
        sql`SELECT ${sql.literal(tenantColumns)} FROM tenants WHERE id = ${id}`.pipe(
          decodeTenant,
          inTenant(id),
          boundary
        ),
      update: (id, changes) =>
        Effect.gen(function*() {
          const updated = yield* sql`
            UPDATE tenants SET status = coalesce(${changes.status ?? null}, status),
                               plan_key = coalesce(${changes.planKey ?? null}, plan_key)
            WHERE id = ${id}
            RETURNING ${sql.literal(tenantColumns)}
          `.pipe(decodeTenant)
          if (Option.isSome(updated)) yield* bumpPolicy(id, null)
          return updated
        }).pipe(inTenant(id), boundary),
      list: ({ limit }) =>
        sql`
          SELECT ${sql.literal(tenantColumns)} FROM tenants
          ORDER BY created_at, insertion_order
          LIMIT ${limit}
        `.pipe(decodeTenants, asPlatform, boundary)
    })
  })
)
