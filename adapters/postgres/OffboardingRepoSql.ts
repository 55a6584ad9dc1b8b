import { SqlClient } from "@effect/sql"
import { Effect, Layer, Schema } from "effect"
import { FlowAlreadyRunning, OffboardingFlow, OffboardingRepo } from "../../core/index.js"
import { isUniqueViolation, repositoryBoundary } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, instantParam, jsonParam } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

const columns = "tenant_id, id, kind, status, steps, context, created_at, updated_at"

const decodeFlows = decodeAll(OffboardingFlow)
const decodeFlow = decodeFirst(OffboardingFlow)
const encodeFlow = Schema.encodeSync(OffboardingFlow)

export const OffboardingRepoSql = Layer.effect(
  OffboardingRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)
    return OffboardingRepo.of({
      insert: (flow) => {
        const encoded = encodeFlow(flow)
        return sql`
          INSERT INTO offboarding_flows (tenant_id, id, kind, status, steps, context, created_at, updated_at)
          VALUES (${flow.tenantId}, ${flow.id}, ${flow.kind}, ${flow.status}, ${jsonParam(encoded.steps)}::jsonb,
                  ${jsonParam(encoded.context)}::jsonb, ${instantParam(flow.createdAt)}, ${
          instantParam(flow.updatedAt)
        })
        `.pipe(
          Effect.asVoid,
          inTenant(flow.tenantId),
          Effect.catchIf(
            (error) => isUniqueViolation(error),
            () =>
              Effect.fail(
                new FlowAlreadyRunning({
                  message: "The tenant already has an offboarding flow running; cancel it before starting another"
                })
              )
          ),
          boundary
        )
      },
      find: (tenantId, id) =>
        sql`SELECT ${sql.literal(columns)} FROM offboarding_flows WHERE tenant_id = ${tenantId} AND id = ${id}`.pipe(
          decodeFlow,
          inTenant(tenantId),
          boundary
        ),
      findAnyTenant: (id) =>
        sql`SELECT ${sql.literal(columns)} FROM offboarding_flows WHERE id = ${id}`.pipe(
          decodeFlow,
          asPlatform,
          boundary
        ),
      list: (tenantId) =>
        sql`
          SELECT ${sql.literal(columns)} FROM offboarding_flows WHERE tenant_id = ${tenantId} ORDER BY created_at DESC
        `.pipe(decodeFlows, inTenant(tenantId), boundary),
      update: (flow) => {
        const encoded = encodeFlow(flow)
        return sql`
          UPDATE offboarding_flows SET status = ${flow.status}, steps = ${jsonParam(encoded.steps)}::jsonb,
            context = ${jsonParam(encoded.context)}::jsonb, updated_at = ${instantParam(flow.updatedAt)}
          WHERE tenant_id = ${flow.tenantId} AND id = ${flow.id}
        `.pipe(Effect.asVoid, inTenant(flow.tenantId), boundary)
      }
    })
  })
)
