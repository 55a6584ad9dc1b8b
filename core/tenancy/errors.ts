import { Schema } from "effect"
import { GuildId, TenantId } from "../ids.js"

/**
 * Errors a person acts on carry a `message` (what happened) and, where there
 * is something to do about it, a `remediation` (what to do next).
 */
export class TenantNotFound extends Schema.TaggedError<TenantNotFound>()("TenantNotFound", {
  tenantId: Schema.String,
  message: Schema.String
}) {
  static of(tenantId: string) {
    return new TenantNotFound({ tenantId, message: `No tenant with id ${tenantId}` })
  }
}

export class GuildNotFound extends Schema.TaggedError<GuildNotFound>()("GuildNotFound", {
  guildId: Schema.String,
  message: Schema.String
}) {
  static of(guildId: string) {
    return new GuildNotFound({ guildId, message: `No guild with id ${guildId}` })
  }
}

export class GuildOwnedByAnotherTenant extends Schema.TaggedError<GuildOwnedByAnotherTenant>()(
  "GuildOwnedByAnotherTenant",
  {
    guildId: GuildId,
    message: Schema.String,
    remediation: Schema.String
  }
) {
  static of(guildId: GuildId) {
    return new GuildOwnedByAnotherTenant({
      guildId,
      message: `Guild ${guildId} is installed for another tenant; a guild belongs to exactly one tenant`,
      remediation: "Remove the guild from the tenant that has it installed first, or ask the operator to move it"
    })
  }
}

export class GuildLimitReached extends Schema.TaggedError<GuildLimitReached>()("GuildLimitReached", {
  tenantId: TenantId,
  planKey: Schema.String,
  limit: Schema.Int,
  message: Schema.String,
  remediation: Schema.String
}) {
  static of(tenantId: TenantId, planKey: string, limit: number) {
    return new GuildLimitReached({
      tenantId,
      planKey,
      limit,
      message: `The '${planKey}' plan allows ${limit} installed guild${limit === 1 ? "" : "s"} and all are in use`,
      remediation: "Upgrade to a plan with more guilds, or remove a guild you no longer use"
    })
  }
}

export class TenantNotWritable extends Schema.TaggedError<TenantNotWritable>()("TenantNotWritable", {
  tenantId: TenantId,
  status: Schema.String,
  message: Schema.String,
  remediation: Schema.String
}) {
  static of(tenantId: TenantId, status: string) {
    return new TenantNotWritable({
      tenantId,
      status,
      message: `Tenant ${tenantId} is ${status.replace("_", "-")} and cannot change its configuration`,
      remediation: status === "read_only"
        ? "Settle the outstanding payment to restore full access"
        : "Contact the operator to reactivate the tenant"
    })
  }
}
