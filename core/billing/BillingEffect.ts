import { Schema } from "effect"
import { GuildId, RoleId, TenantId, UserId } from "../ids.js"
import { PlanKey } from "../plans/Plan.js"
import { TimerFired } from "./BillingEvent.js"

const roleChange = { tenantId: TenantId, guildId: GuildId, roleId: RoleId, userId: UserId }

export const GrantRole = Schema.TaggedStruct("GrantRole", roleChange)
export const RevokeRole = Schema.TaggedStruct("RevokeRole", roleChange)
export const SetTenantPlan = Schema.TaggedStruct("SetTenantPlan", { tenantId: TenantId, planKey: PlanKey })
export const EnterReadOnly = Schema.TaggedStruct("EnterReadOnly", { tenantId: TenantId })
export const ExitReadOnly = Schema.TaggedStruct("ExitReadOnly", { tenantId: TenantId })
/** Feed `event` back into the subscription's state machine at `at` (dunning and period timers). */
export const ScheduleAt = Schema.TaggedStruct("ScheduleAt", { at: Schema.DateTimeUtc, event: TimerFired })
/** Tell the tenant's admins (or the paying member) something they need to know or act on. */
export const Notify = Schema.TaggedStruct("Notify", {
  tenantId: TenantId,
  guildId: Schema.NullOr(GuildId),
  userId: Schema.NullOr(UserId),
  /** A stable key for the message (payment_failed, trial_ending, read_only, ...). */
  kind: Schema.String,
  message: Schema.String
})
/** Report metered usage to the plan's provider; `identifier` makes the report idempotent there. */
export const ReportUsage = Schema.TaggedStruct("ReportUsage", {
  tenantId: TenantId,
  meter: Schema.String,
  value: Schema.Int,
  identifier: Schema.String,
  timestamp: Schema.DateTimeUtc
})

/** What a transition asks the outside world to do; each runs later as a job. */
export const BillingEffect = Schema.Union(
  GrantRole,
  RevokeRole,
  SetTenantPlan,
  EnterReadOnly,
  ExitReadOnly,
  ScheduleAt,
  Notify,
  ReportUsage
)
export type BillingEffect = typeof BillingEffect.Type
