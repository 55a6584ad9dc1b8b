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

/**
 * SePay reports bank transfers in Vietnamese dong only: a role priced in any
 * other currency would be sold as that many dong and its transfer ignored.
 */
export class SepaySellsVndOnly extends Schema.TaggedError<SepaySellsVndOnly>()("SepaySellsVndOnly", {
  /** The roles at fault (guildId/roleId), for a tenant-wide check. */
  roles: Schema.Array(Schema.String),
  message: Schema.String
}) {
  static of(roles: ReadonlyArray<{ readonly guildId: GuildId; readonly roleId: RoleId; readonly currency: string }>) {
    const named = roles.map((role) => `${role.roleId} in guild ${role.guildId} (priced in ${role.currency})`)
    return new SepaySellsVndOnly({
      roles: roles.map((role) => `${role.guildId}/${role.roleId}`),
      message: `SePay sells VND only: ${named.join(", ")}. Price the role in VND (whole dong, e.g. ` +
        `{"minor": 50000, "currency": "VND"}) or stop selling it over SePay ("sepayPassDays": null)`
    })
  }
}

/** No held transfer or underpaid order with this id for the tenant (another tenant's answers the same). */
export class HeldPaymentNotFound extends Schema.TaggedError<HeldPaymentNotFound>()("HeldPaymentNotFound", {
  message: Schema.String
}) {
  static of(kind: "transfer" | "order", id: string) {
    return new HeldPaymentNotFound({
      message: kind === "transfer" ? `No transfer ${id} is held for review` : `No underpaid order ${id}`
    })
  }
}

/** The held payment was already applied or marked refunded. */
export class HeldPaymentResolved extends Schema.TaggedError<HeldPaymentResolved>()("HeldPaymentResolved", {
  message: Schema.String
}) {
  static of(kind: "transfer" | "order", id: string, status: string) {
    return new HeldPaymentResolved({
      message: `${kind === "transfer" ? "Transfer" : "Order"} ${id} is no longer held for review (${status})`
    })
  }
}
