import { DateTime, Effect } from "effect"
import type { TenantId } from "../ids.js"
import type { AuditLogService } from "../ports/AuditLog.js"
import type { CryptoService } from "../ports/Crypto.js"

/** Appends one event to the audit log, with a fresh id and the current time. */
export const auditTrail = (audit: AuditLogService, crypto: CryptoService) =>
(
  tenantId: TenantId | null,
  actor: string,
  action: string,
  subject: string,
  detail: Readonly<Record<string, unknown>>
) =>
  Effect.flatMap(
    Effect.all([crypto.uuid, DateTime.now]),
    ([id, at]) => audit.record({ id, tenantId, at, actor, action, subject, detail })
  )
