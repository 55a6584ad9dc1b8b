import { DateTime, Duration, Effect, Option, Random } from "effect"
import type { GuildId, RoleId, TenantId, UserId } from "../ids.js"
import { Crypto } from "../ports/Crypto.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import { PaidRoleRepo } from "../ports/PaidRoleRepo.js"
import { type CheckoutLink, PaymentProviderError, PolarGateway, StripeGateway } from "../ports/PaymentGateways.js"
import { PaymentOrderRepo } from "../ports/PaymentOrderRepo.js"
import { PaymentSettingsRepo } from "../ports/PaymentSettingsRepo.js"
import type { GuildNotFound } from "../tenancy/errors.js"
import { chooseAccount } from "./AccountRotation.js"
import { type PaidRoleNotFound, ProviderNotOffered, SepaySellsVndOnly } from "./errors.js"
import { type PaidRole, providersOf, type RoleProvider, sellableOverSepay } from "./PaidRole.js"
import { findPaidRole, requireInstalledGuild } from "./PaidRoleCatalog.js"
import { generatePaymentCode } from "./PaymentCode.js"
import { PaymentOrder } from "./PaymentOrder.js"
import { vietQrImageUrl } from "./VietQr.js"

/** How a member pays for a role: a provider's hosted checkout, or a bank transfer with a code (SePay). */
export type RoleCheckoutOffer =
  | { readonly _tag: "Link"; readonly provider: "stripe" | "polar"; readonly link: CheckoutLink }
  | {
    readonly _tag: "BankTransfer"
    readonly provider: "sepay"
    readonly order: PaymentOrder
    readonly qrImageUrl: string
  }

const codeAttempts = 5

/** A member starting to buy a role: a Stripe or Polar checkout link, or a SePay order to pay by transfer. */
export const makeRoleCheckout = Effect.gen(function*() {
  const roles = yield* PaidRoleRepo
  const guilds = yield* GuildRepo
  const orders = yield* PaymentOrderRepo
  const settings = yield* PaymentSettingsRepo
  const stripe = yield* StripeGateway
  const polar = yield* PolarGateway
  const crypto = yield* Crypto

  const notConfigured = (provider: "polar" | "sepay") =>
    new PaymentProviderError({
      provider,
      reason: "not_configured",
      message: `${provider === "polar" ? "Polar" : "SePay"} is not configured for this tenant: ` +
        `an admin sets it up with PUT /billing/providers/${provider}`
    })

  /** A SePay order with a fresh payment code, paid into the account the tenant's rotation picks. */
  const bankTransferOrder = (role: PaidRole, userId: UserId) =>
    Effect.gen(function*() {
      const sepay = Option.flatMap(yield* settings.get(role.tenantId), (s) => Option.fromNullable(s.sepay))
      if (Option.isNone(sepay)) return yield* notConfigured("sepay")
      const { settings: config } = sepay.value
      const [now, orderNumber, random] = yield* Effect.all([DateTime.now, orders.count(role.tenantId), Random.next])
      const account = chooseAccount(config.accounts, config.rotation, { orderNumber, random, now })
      for (let attempt = 1; attempt <= codeAttempts; attempt++) {
        const order = PaymentOrder.make({
          id: yield* crypto.uuid,
          tenantId: role.tenantId,
          guildId: role.guildId,
          roleId: role.roleId,
          userId,
          code: yield* generatePaymentCode(config),
          amountDue: role.price,
          accountNumber: account.accountNumber,
          bankCode: account.bankCode,
          passDays: role.sepayPassDays ?? 30,
          status: "pending",
          receivedMinor: 0,
          overpaidMinor: 0,
          transactionId: null,
          createdAt: now,
          expiresAt: DateTime.addDuration(now, Duration.minutes(config.orderTtlMinutes)),
          settledAt: null
        })
        if ((yield* orders.insert(order)) === "inserted") {
          const qrImageUrl = vietQrImageUrl({
            accountNumber: order.accountNumber,
            bankCode: order.bankCode,
            amount: order.amountDue.minor,
            content: order.code
          })
          return { _tag: "BankTransfer", provider: "sepay", order, qrImageUrl } as const
        }
      }
      return yield* Effect.die(`no free payment code after ${codeAttempts} draws: lengthen the SePay code suffix`)
    })

  /**
   * How the member pays for the role: through `provider`, or the first the
   * role is sold through. Only in an installed guild: the bot could not grant
   * a role in a guild it has left, so nothing is sold there.
   */
  const checkout = (
    tenantId: TenantId,
    guildId: GuildId,
    roleId: RoleId,
    userId: UserId,
    provider: RoleProvider | undefined,
    urls: { readonly successUrl: string; readonly cancelUrl: string }
  ): Effect.Effect<
    RoleCheckoutOffer,
    GuildNotFound | PaidRoleNotFound | ProviderNotOffered | PaymentProviderError | SepaySellsVndOnly
  > =>
    Effect.gen(function*() {
      yield* requireInstalledGuild(guilds, tenantId, guildId)
      const role = yield* findPaidRole(roles, tenantId, guildId, roleId)
      const offered = providersOf(role)
      const chosen = provider ?? offered[0]
      if (chosen === undefined || !offered.includes(chosen)) {
        return yield* ProviderNotOffered.of(provider ?? "any provider", offered)
      }
      const metadata = { tenant_id: tenantId, guild_id: guildId, role_id: roleId, user_id: userId }
      switch (chosen) {
        case "stripe": {
          const link = yield* stripe.roleCheckout({ priceId: role.stripePriceId!, metadata, ...urls })
          return { _tag: "Link", provider: "stripe", link } as const
        }
        case "polar": {
          const polarSettings = Option.flatMap(yield* settings.get(tenantId), (s) => Option.fromNullable(s.polar))
          if (Option.isNone(polarSettings)) return yield* notConfigured("polar")
          const link = yield* polar.roleCheckout({
            accessToken: polarSettings.value.accessToken,
            productId: role.polarProductId!,
            externalCustomerId: `discord:${userId}`,
            metadata,
            successUrl: urls.successUrl
          })
          return { _tag: "Link", provider: "polar", link } as const
        }
        case "sepay":
          // A role stored before prices were checked may still carry another currency.
          if (!sellableOverSepay(role)) {
            return yield* SepaySellsVndOnly.of([{ guildId, roleId, currency: role.price.currency }])
          }
          return yield* bankTransferOrder(role, userId)
      }
    })

  return { checkout } as const
})
