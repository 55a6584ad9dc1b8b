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

/**
 * Every spelling of a mode people may type, and the mode it means. `self_host`
 * is the one documented and answered (values are snake_case, like
 * `read_only`); `self-host`, which serve's flag and GUILDHALL_MODE long used,
 * is accepted wherever a mode is read.
 */
export const modeSpellings: ReadonlyArray<[spelling: string, mode: TenantMode]> = [
  ["hosted", "hosted"],
  ["self_host", "self_host"],
  ["self-host", "self_host"]
]

/** A mode as input: either spelling of self-host, decoded to `self_host`. */
export const TenantModeInput = Schema.transform(Schema.Literal("hosted", "self_host", "self-host"), TenantMode, {
  strict: true,
  decode: (spelled) => spelled === "self-host" ? "self_host" : spelled,
  encode: (mode) => mode
}).annotations({ description: "hosted or self_host (self-host is accepted too)" })

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
