import { SqlClient } from "@effect/sql"
import { Effect, Layer, Schema } from "effect"
import { CommandSyncFailure, CommandSyncRepo, CommandSyncState } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, jsonParam, nullableInstantParam } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

const stateColumns = "tenant_id, guild_id, application_id, hash, synced_at, blocked_until, last_error"

const decodeStates = decodeAll(CommandSyncState)
const decodeState = decodeFirst(CommandSyncState)
const encodeFailure = Schema.encodeSync(CommandSyncFailure)

/** CommandSyncRepo on Postgres. A state of a guild the tenant does not have breaks the foreign key: a defect. */
export const CommandSyncRepoSql = Layer.effect(
  CommandSyncRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const columns = sql.literal(stateColumns)
    const boundary = repositoryBoundary(sql)

    return CommandSyncRepo.of({
      get: (tenantId, guildId, applicationId) =>
        sql`
          SELECT ${columns} FROM command_syncs
          WHERE tenant_id = ${tenantId} AND guild_id = ${guildId} AND application_id = ${applicationId}
        `.pipe(decodeState, inTenant(tenantId), boundary),
      // Across tenants: the runner syncs every guild its bot is in at boot.
      listByApplication: (applicationId) =>
        sql`
          SELECT ${columns} FROM command_syncs WHERE application_id = ${applicationId}
          ORDER BY tenant_id, guild_id COLLATE "C"
        `.pipe(decodeStates, asPlatform, boundary),
      save: (state) =>
        sql`
          INSERT INTO command_syncs (${columns})
          VALUES (${state.tenantId}, ${state.guildId}, ${state.applicationId}, ${state.hash},
                  ${nullableInstantParam(state.syncedAt)}::timestamptz,
                  ${nullableInstantParam(state.blockedUntil)}::timestamptz,
                  ${state.lastError === null ? null : jsonParam(encodeFailure(state.lastError))}::jsonb)
          ON CONFLICT (tenant_id, guild_id, application_id) DO UPDATE SET
            hash = excluded.hash, synced_at = excluded.synced_at, blocked_until = excluded.blocked_until,
            last_error = excluded.last_error
        `.pipe(Effect.asVoid, inTenant(state.tenantId), boundary)
    })
  })
)
