import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { SetupProgress, SetupProgressRepo } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeFirst, instantParam, jsonParam, nullableInstantParam } from "./rows.js"
import { inTenant } from "./TenantScope.js"

const progressColumns = `tenant_id, guild_id, step, chosen_features, roles, offered_providers, completed_at,
  updated_at`

const decodeProgress = decodeFirst(SetupProgress)

/** SetupProgressRepo on Postgres. Progress for a guild the tenant does not have breaks the foreign key: a defect. */
export const SetupProgressRepoSql = Layer.effect(
  SetupProgressRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const columns = sql.literal(progressColumns)
    const boundary = repositoryBoundary(sql)

    return SetupProgressRepo.of({
      get: (tenantId, guildId) =>
        sql`
          SELECT ${columns} FROM setup_progress WHERE tenant_id = ${tenantId} AND guild_id = ${guildId}
        `.pipe(decodeProgress, inTenant(tenantId), boundary),
      save: (progress) =>
        sql`
          INSERT INTO setup_progress (${columns})
          VALUES (${progress.tenantId}, ${progress.guildId}, ${progress.step},
                  ${jsonParam(progress.chosenFeatures)}::jsonb, ${jsonParam(progress.roles)}::jsonb,
                  ${jsonParam(progress.offeredProviders)}::jsonb, ${nullableInstantParam(progress.completedAt)},
                  ${instantParam(progress.updatedAt)})
          ON CONFLICT (tenant_id, guild_id) DO UPDATE SET
            step = excluded.step, chosen_features = excluded.chosen_features, roles = excluded.roles,
            offered_providers = excluded.offered_providers, completed_at = excluded.completed_at,
            updated_at = excluded.updated_at
        `.pipe(Effect.asVoid, inTenant(progress.tenantId), boundary)
    })
  })
)
