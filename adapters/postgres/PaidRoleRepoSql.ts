import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { PaidRole, PaidRoleRepo } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, instantParam, moneyOf, type Row } from "./rows.js"
import { inTenant } from "./TenantScope.js"

const roleColumns = `tenant_id, guild_id, role_id, name, price_minor, currency, stripe_price_id, polar_product_id,
  sepay_pass_days, grace_days, created_at, updated_at`

const roleFromFields = (fields: Row) => ({ ...fields, price: moneyOf(fields, "priceMinor") })

const decodeRoles = decodeAll(PaidRole, roleFromFields)
const decodeRole = decodeFirst(PaidRole, roleFromFields)

/** PaidRoleRepo on Postgres. A role of a guild the tenant does not have breaks the foreign key: a defect. */
export const PaidRoleRepoSql = Layer.effect(
  PaidRoleRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const columns = sql.literal(roleColumns)
    const boundary = repositoryBoundary(sql)

    return PaidRoleRepo.of({
      upsert: (role) =>
        sql`
          INSERT INTO paid_roles (${columns})
          VALUES (${role.tenantId}, ${role.guildId}, ${role.roleId}, ${role.name}, ${role.price.minor}::bigint,
                  ${role.price.currency}, ${role.stripePriceId}, ${role.polarProductId}, ${role.sepayPassDays}::integer,
                  ${role.graceDays}::integer, ${instantParam(role.createdAt)}, ${instantParam(role.updatedAt)})
          ON CONFLICT (tenant_id, guild_id, role_id) DO UPDATE SET
            name = excluded.name, price_minor = excluded.price_minor, currency = excluded.currency,
            stripe_price_id = excluded.stripe_price_id, polar_product_id = excluded.polar_product_id,
            sepay_pass_days = excluded.sepay_pass_days, grace_days = excluded.grace_days,
            created_at = excluded.created_at, updated_at = excluded.updated_at
        `.pipe(Effect.asVoid, inTenant(role.tenantId), boundary),
      find: (tenantId, guildId, roleId) =>
        sql`
          SELECT ${columns} FROM paid_roles
          WHERE tenant_id = ${tenantId} AND guild_id = ${guildId} AND role_id = ${roleId}
        `.pipe(decodeRole, inTenant(tenantId), boundary),
      list: (tenantId, guildId) =>
        sql`
          SELECT ${columns} FROM paid_roles
          WHERE tenant_id = ${tenantId} AND guild_id = ${guildId}
          ORDER BY name COLLATE "C", role_id COLLATE "C"
        `.pipe(decodeRoles, inTenant(tenantId), boundary),
      remove: (tenantId, guildId, roleId) =>
        sql`
          DELETE FROM paid_roles WHERE tenant_id = ${tenantId} AND guild_id = ${guildId} AND role_id = ${roleId}
          RETURNING 1
        `.pipe(Effect.map((rows) => rows.length > 0), inTenant(tenantId), boundary)
    })
  })
)
