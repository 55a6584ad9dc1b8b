import { Context, type DateTime, type Effect, type Option } from "effect"
import type { TenantId } from "../ids.js"

/** Something that happened to a tenant's data or hosting, and who did it. */
export interface AuditEvent {
  readonly id: string
  /** Null: a platform-wide event, or one about a tenant that no longer exists (named by a hash in `subject`). */
  readonly tenantId: TenantId | null
  readonly at: DateTime.Utc
  /** "operator", "tenant", "system" (a job), "cli". */
  readonly actor: string
  /** e.g. "export.ready", "offboarding.step.retire". */
  readonly action: string
  /** What it was done to (an export id, a flow id, "tenant:<hash>"). */
  readonly subject: string
  readonly detail: Readonly<Record<string, unknown>>
}

/** The audit trail: appended to, never changed (a purge deletes the tenant's events with the rest). */
export interface AuditLogService {
  readonly record: (event: AuditEvent) => Effect.Effect<void>
  /** The tenant's events, newest first. */
  readonly list: (tenantId: TenantId, options: { readonly limit: number }) => Effect.Effect<ReadonlyArray<AuditEvent>>
  /** A platform-wide event by subject (a purged tenant's final record). */
  readonly findBySubject: (subject: string) => Effect.Effect<Option.Option<AuditEvent>>
}

export class AuditLog extends Context.Tag("core/AuditLog")<AuditLog, AuditLogService>() {}
