import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { GuildFeatureRepo, GuildNotFound } from "../../core/index.js"
import { featureColumns, GuildFeatureStateSchema } from "./policyRows.js"
import { bumpPolicy } from "./policyVersions.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, jsonParam } from "./rows.js"
import { inTenant } from "./TenantScope.js"

const decodeFeatures = decodeAll(GuildFeatureStateSchema)

export const GuildFeatureRepoSql = Layer.effect(
  GuildFeatureRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)
    const columns = sql.literal(featureColumns)
    return GuildFeatureRepo.of({
      set: (tenantId, guildId, state) =>
        Effect.gen(function*() {
          // Bumping first also proves the tenant has the guild (and serializes writers of its policy).
          if ((yield* bumpPolicy(tenantId, guildId)).length === 0) return yield* GuildNotFound.of(guildId)
          const [stored] = yield* sql`
            INSERT INTO guild_features (tenant_id, guild_id, ${columns})
            VALUES (${tenantId}, ${guildId}, ${state.featureKey}, ${state.enabled},
                    ${jsonParam(state.config)}::jsonb, ${state.configVersion})
            ON CONFLICT (tenant_id, guild_id, feature_key) DO UPDATE SET
              enabled = excluded.enabled, config = excluded.config, config_version = excluded.config_version
            RETURNING ${columns}
          `.pipe(decodeFeatures)
          return stored!
        }).pipe(
          inTenant(tenantId),
          boundary
        ),
      list: (tenantId, guildId) =>
        sql`
          SELECT ${columns} FROM guild_features
          WHERE tenant_id = ${tenantId} AND guild_id = ${guildId}
          ORDER BY feature_key COLLATE "C"
        `.pipe(decodeFeatures, inTenant(tenantId), boundary)
    })
  })
)
