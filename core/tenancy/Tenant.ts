import { Schema } from "effect"
import { TenantId } from "../ids.js"
import { PlanKey } from "../plans/Plan.js"
import { GuildConfigLayer } from "./GuildConfig.js"

export const TenantName = Schema.Trim.pipe(
  Schema.minLength(1, { message: () => "A tenant name must not be empty" }),
  Schema.maxLength(100, { message: () => "A tenant name must be at most 100 characters" })
)

export const TenantMode = Schema.Literal("hosted", "self_host")
export type TenantMode = typeof TenantMode.Type

export const TenantStatus = Schema.Literal("active", "read_only", "suspended", "offboarding", "retired")
export type TenantStatus = typeof TenantStatus.Type

export class Tenant extends Schema.Class<Tenant>("Tenant")({
  id: TenantId,
  name: TenantName,
  mode: TenantMode,
  status: TenantStatus,
  planKey: PlanKey,
  /** The tenant-default layer of every guild's settings. */
  guildDefaults: GuildConfigLayer,
  createdAt: Schema.DateTimeUtc
}) {}

/** Whether the tenant may change its own configuration (install guilds, edit settings). */
export const acceptsWrites = (tenant: Tenant): boolean => tenant.status === "active"
