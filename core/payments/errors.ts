import { Schema } from "effect"
import { GuildId, RoleId } from "../ids.js"

export class PaidRoleNotFound extends Schema.TaggedError<PaidRoleNotFound>()("PaidRoleNotFound", {
  guildId: GuildId,
  roleId: RoleId,
  message: Schema.String
}) {
  static of(guildId: GuildId, roleId: RoleId) {
    return new PaidRoleNotFound({ guildId, roleId, message: `Role ${roleId} is not sold in guild ${guildId}` })
  }
}

/** The guild already sells as many roles as its plan allows. */
export class PaidRoleLimitReached extends Schema.TaggedError<PaidRoleLimitReached>()("PaidRoleLimitReached", {
  planKey: Schema.String,
  limit: Schema.Int,
  message: Schema.String,
  remediation: Schema.String
}) {
  static of(planKey: string, limit: number) {
    return new PaidRoleLimitReached({
      planKey,
      limit,
      message: limit === 0
        ? `The '${planKey}' plan does not include paid roles`
        : `The '${planKey}' plan allows ${limit} paid role${limit === 1 ? "" : "s"} per guild and all are in use`,
      remediation: "Upgrade the plan (an admin can run /upgrade), or remove a paid role you no longer sell"
    })
  }
}

/** The member asked for a provider the role is not sold through (or the tenant has not configured). */
export class ProviderNotOffered extends Schema.TaggedError<ProviderNotOffered>()("ProviderNotOffered", {
  provider: Schema.String,
  message: Schema.String
}) {
  static of(provider: string, offered: ReadonlyArray<string>) {
    return new ProviderNotOffered({
      provider,
      message: offered.length === 0
        ? "This role is not sold through any payment provider yet: the guild's admin must set a Stripe price, a Polar product or a SePay pass"
        : `This role is not sold through ${provider}. It is sold through: ${offered.join(", ")}`
    })
  }
}
