import { DateTime, Effect } from "effect"
import { paidRolesCommand, purchaseCommand } from "../../features/builtin/paidRoles.js"
import type { RoleId } from "../../ids.js"
import { type PaidRole, providersOf, RoleProvider } from "../../payments/PaidRole.js"
import { PaidRoles } from "../../payments/PaidRoles.js"
import { DiscordGuilds } from "../../ports/DiscordGuilds.js"
import { BotCommands, CommandRefused, handleCommand } from "../BotCommands.js"
import { BotLinks } from "../BotLinks.js"
import { type CommandInvocation, numberOption, stringOption } from "../CommandInvocation.js"
import { Reply } from "../Reply.js"
import { formatMoney, refusing, roleIdOption, roleMention } from "./replies.js"

const isProvider = (word: string): word is RoleProvider =>
  (RoleProvider.literals as ReadonlyArray<string>).includes(word)

const forSale = (roles: ReadonlyArray<PaidRole>): string =>
  roles.length === 0
    ? "Nothing is for sale in this server yet"
    : `For sale: ${roles.map((role) => `${role.name} (${formatMoney(role.price)})`).join(", ")}`

/** The paid role `product` names: its id, its mention, or its name (any case). */
const matchProduct = (roles: ReadonlyArray<PaidRole>, product: string): PaidRole | undefined => {
  const id = product.replace(/^<@&(\d+)>$/, "$1")
  const name = product.replace(/^@/, "").toLowerCase()
  return roles.find((role) => role.roleId === id) ?? roles.find((role) => role.name.toLowerCase() === name)
}

const make = Effect.gen(function*() {
  const paidRoles = yield* PaidRoles
  const links = yield* BotLinks
  const discord = yield* DiscordGuilds

  const requiredRole = (invocation: CommandInvocation) =>
    Effect.flatMap(
      roleIdOption(invocation, "role"),
      (roleId): Effect.Effect<RoleId, CommandRefused> =>
        roleId === undefined ? Effect.fail(CommandRefused.of("Pick a role")) : Effect.succeed(roleId)
    )

  const purchase = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, tenantId, userId } = invocation.context
      const roles = yield* refusing(paidRoles.list(tenantId, guildId))
      const product = stringOption(invocation, "product") ?? ""
      const role = matchProduct(roles, product)
      if (role === undefined) return yield* CommandRefused.of(`No role '${product}' is sold here`, forSale(roles))
      const asked = stringOption(invocation, "provider")?.toLowerCase()
      if (asked !== undefined && !isProvider(asked)) {
        return yield* CommandRefused.of(
          `Unknown payment provider '${asked}'`,
          `${role.name} is sold through: ${providersOf(role).join(", ") || "nothing yet"}`
        )
      }
      const offer = yield* refusing(
        paidRoles.checkout(tenantId, guildId, role.roleId, userId, asked, {
          successUrl: links.checkoutSuccessUrl,
          cancelUrl: links.checkoutCancelUrl
        })
      )
      if (offer._tag === "Link") {
        return Reply.private(
          `Buy @${role.name} for ${formatMoney(role.price)} (${offer.provider === "stripe" ? "Stripe" : "Polar"}): ` +
            `${offer.link.url}\nThe role is yours as soon as the payment goes through.`
        )
      }
      const { order } = offer
      return Reply.private([
        `Buy @${role.name} with a bank transfer (${order.passDays} days):`,
        `Amount: ${formatMoney(order.amountDue)}`,
        `Transfer content (exactly): **${order.code}**`,
        `Account: ${order.accountNumber} (bank ${order.bankCode})`,
        `Pay before ${DateTime.formatIso(order.expiresAt).slice(0, 16).replace("T", " ")} UTC.`,
        `QR code: ${offer.qrImageUrl}`
      ].join("\n"))
    })

  const list = (invocation: CommandInvocation) =>
    Effect.map(
      refusing(paidRoles.list(invocation.context.tenantId, invocation.context.guildId)),
      (roles) =>
        Reply.private(
          roles.length === 0
            ? "No role is for sale here. `/paidroles add` sells one."
            : [
              "**Roles for sale**",
              ...roles.map((role) =>
                `${roleMention(role.roleId)} ${role.name}: ${formatMoney(role.price)} through ` +
                `${providersOf(role).join(", ") || "no provider yet (see /setup providers)"}`
              )
            ].join("\n")
        )
    )

  /** /paidroles add: the price of a new role, or a new price for one sold already (its providers kept). */
  const add = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, tenantId } = invocation.context
      const roleId = yield* requiredRole(invocation)
      const [seen] = yield* discord.roleManageability(guildId, [roleId])
      const minor = numberOption(invocation, "price") ?? 0
      const currency = (stringOption(invocation, "currency") ?? "").toUpperCase()
      const days = numberOption(invocation, "days") ?? null
      const existing = (yield* refusing(paidRoles.list(tenantId, guildId))).find((role) => role.roleId === roleId)
      if (!/^[A-Z]{3}$/.test(currency)) {
        return yield* CommandRefused.of(
          `'${currency}' is not a currency code`,
          "Use an ISO 4217 code such as USD or VND"
        )
      }
      const role = yield* refusing(paidRoles.put(tenantId, guildId, roleId, {
        name: seen?.name ?? existing?.name ?? `Role ${roleId}`,
        price: { minor, currency: currency as PaidRole["price"]["currency"] },
        stripePriceId: existing?.stripePriceId ?? null,
        polarProductId: existing?.polarProductId ?? null,
        sepayPassDays: days ?? existing?.sepayPassDays ?? null,
        graceDays: existing?.graceDays ?? 3
      }))
      return Reply.private(
        `${roleMention(role.roleId)} is sold for ${formatMoney(role.price)}. ` +
          "Choose its providers with `/setup providers`."
      )
    })

  const remove = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const roleId = yield* requiredRole(invocation)
      yield* refusing(paidRoles.remove(invocation.context.tenantId, invocation.context.guildId, roleId))
      return Reply.private(`${roleMention(roleId)} is no longer sold; members keep what they paid for.`)
    })

  return BotCommands.merge(
    handleCommand(purchaseCommand, { ephemeral: true, run: purchase }),
    handleCommand(paidRolesCommand, {
      list: { ephemeral: true, run: list },
      add: { ephemeral: true, run: add },
      remove: { ephemeral: true, run: remove }
    })
  )
})

/** /purchase (a member buys a paid role) and the admins' /paidroles list|add|remove. */
export const purchaseCommands = make
