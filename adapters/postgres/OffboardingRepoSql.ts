import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, Layer, Schema } from "effect"
import { FlowAlreadyRunning, OffboardingFlow, OffboardingRepo } from "../../core/index.js"
import { dieOnInfrastructureError } from "./repositoryBoundary.js"
import { decodeAll, decodeFirst, encodedInstant, instantParam, jsonParam } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

const columns = "tenant_id, id, kind, status, steps, context, created_at, updated_at"

const fromRow = (row: Record<string, unknown>) => ({
  id: row.id,
  tenantId: row.tenant_id,
  kind: row.kind,
  status: row.status,
  steps: row.steps,
  context: row.context,
  createdAt: encodedInstant(row.created_at),
  updatedAt: encodedInstant(row.updated_at)
})

const decodeFlows = decodeAll(OffboardingFlow, fromRow)
const decodeFlow = decodeFirst(OffboardingFlow, fromRow)
const encodeFlow = Schema.encodeSync(OffboardingFlow)

export const OffboardingRepoSql = Layer.effect(
  OffboardingRepo,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
      effect.pipe(Effect.orDie, Effect.provideService(SqlClient.SqlClient, sql))
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
            (error) => error instanceof SqlError && (error.cause as { code?: unknown } | undefined)?.code === "23505",
            () =>
              Effect.fail(
                new FlowAlreadyRunning({
                  message: "The tenant already has an offboarding flow running; cancel it before starting another"
                })
              )
          ),
          dieOnInfrastructureError,
          Effect.provideService(SqlClient.SqlClient, sql)
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
