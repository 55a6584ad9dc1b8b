import { SqlClient } from "@effect/sql"
import { Effect, Layer, Redacted } from "effect"
import { TenantBot, TenantBotRepo } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, instantParam } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

/**
 * TenantBotRepo on Postgres. The token is stored as given (it logs the bot
 * in, so it cannot be hashed; encryption at rest is a follow-up, ADR 071) and
 * leaves this module only as Redacted. Reads of one tenant run in its scope;
 * `listAll` is the runner's platform-wide read.
 */

const botColumns = "tenant_id, application_id, token, updated_at"

// The Schema decodes the token column into a Redacted: the plain string never leaves the row.
const decodeBot = decodeFirst(TenantBot)
const decodeBots = decodeAll(TenantBot)

export const TenantBotRepoSql = Layer.effect(
  TenantBotRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const columns = sql.literal(botColumns)
    const boundary = repositoryBoundary(sql)

    return TenantBotRepo.of({
      put: (tenantId, bot) =>
        sql`
          INSERT INTO tenant_bots (${columns})
          VALUES (${tenantId}, ${bot.applicationId}, ${Redacted.value(bot.token)}, ${instantParam(bot.updatedAt)})
          ON CONFLICT (tenant_id) DO UPDATE SET
            application_id = excluded.application_id, token = excluded.token, updated_at = excluded.updated_at
        `.pipe(Effect.asVoid, inTenant(tenantId), boundary),
      get: (tenantId) =>
        sql`SELECT ${columns} FROM tenant_bots WHERE tenant_id = ${tenantId}`.pipe(
          decodeBot,
          inTenant(tenantId),
          boundary
        ),
      remove: (tenantId) =>
        sql`DELETE FROM tenant_bots WHERE tenant_id = ${tenantId} RETURNING tenant_id`.pipe(
          Effect.map((rows) => rows.length > 0),
          inTenant(tenantId),
          boundary
        ),
      listAll: () => sql`SELECT ${columns} FROM tenant_bots ORDER BY tenant_id`.pipe(decodeBots, asPlatform, boundary)
    })
  })
)
