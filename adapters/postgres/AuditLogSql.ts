import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Layer, Option } from "effect"
import { type AuditEvent, AuditLog, type TenantId } from "../../core/index.js"
import { repositoryBoundary } from "./repositoryBoundary.js"
import { instantParam, jsonParam } from "./rows.js"
import { asPlatform, inTenant } from "./TenantScope.js"

interface AuditRow {
  readonly id: string
  readonly tenant_id: string | null
  readonly at: Date | string
  readonly actor: string
  readonly action: string
  readonly subject: string
  readonly detail: Record<string, unknown>
}

const fromRow = (row: AuditRow): AuditEvent => ({
  id: row.id,
  tenantId: row.tenant_id as TenantId | null,
  at: DateTime.unsafeMake(row.at),
  actor: row.actor,
  action: row.action,
  subject: row.subject,
  detail: row.detail
})

export const AuditLogSql = Layer.effect(
  AuditLog,
  Effect.map(SqlClient.SqlClient, (sql) => {
    const boundary = repositoryBoundary(sql)
    return AuditLog.of({
      record: (event) => {
        const insert = sql`
          INSERT INTO audit_events (id, tenant_id, at, actor, action, subject, detail)
          VALUES (${event.id}, ${event.tenantId}, ${instantParam(event.at)}, ${event.actor}, ${event.action},
                  ${event.subject}, ${jsonParam(event.detail)}::jsonb)
        `.pipe(Effect.asVoid)
        return (event.tenantId === null ? asPlatform(insert) : inTenant(event.tenantId)(insert)).pipe(boundary)
      },
      list: (tenantId, options) =>
        sql<AuditRow>`
          SELECT id, tenant_id, at, actor, action, subject, detail FROM audit_events
          WHERE tenant_id = ${tenantId} ORDER BY at DESC, id LIMIT ${options.limit}
        `.pipe(Effect.map((rows) => rows.map(fromRow)), inTenant(tenantId), boundary),
      findBySubject: (subject) =>
        sql<AuditRow>`
          SELECT id, tenant_id, at, actor, action, subject, detail FROM audit_events
          WHERE tenant_id IS NULL AND subject = ${subject} ORDER BY at DESC LIMIT 1
        `.pipe(Effect.map((rows) => Option.fromNullable(rows[0]).pipe(Option.map(fromRow))), asPlatform, boundary)
    })
  })
)
