import { Context, DateTime, Duration, Effect, Layer, Option, Random } from "effect"
import { Billing, effectJobs } from "../billing/Billing.js"
import type { BillingEvent } from "../billing/BillingEvent.js"
import { Currency } from "../billing/Money.js"
import { hasAccess } from "../billing/Subscription.js"
import type { GuildId, RoleId, TenantId, UserId } from "../ids.js"
import { GuildEntitlements } from "../plans/GuildEntitlements.js"
import { fitsWithin } from "../plans/Plan.js"
import { BillingLedger, type WebhookReceipt } from "../ports/BillingLedger.js"
import { Crypto } from "../ports/Crypto.js"
import { type DiscordRoleError, DiscordRoles } from "../ports/DiscordRoles.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import { Jobs } from "../ports/Jobs.js"
import { PaidRoleRepo } from "../ports/PaidRoleRepo.js"
import { type CheckoutLink, PaymentProviderError, PolarGateway, StripeGateway } from "../ports/PaymentGateways.js"
import { PaymentOrderRepo } from "../ports/PaymentOrderRepo.js"
import { PaymentSettingsRepo } from "../ports/PaymentSettingsRepo.js"
import { GuildNotFound, type TenantNotFound } from "../tenancy/errors.js"
import { chooseAccount } from "./AccountRotation.js"
import type { BankTransfer } from "./BankTransfer.js"
import { PaidRoleLimitReached, PaidRoleNotFound, ProviderNotOffered, SepaySellsVndOnly } from "./errors.js"
import { holdReasonText } from "./HeldTransfer.js"
import { matchTransfer } from "./matchTransfer.js"
import { holdTransferJob, settleOrderJob } from "./orderJobs.js"
import {
  PaidRole,
  type PaidRoleInput,
  providersOf,
  type RoleProvider,
  sellableOverSepay,
  unsellableOverSepay
} from "./PaidRole.js"
import { findPaymentCode, generatePaymentCode, normalizePaymentCode } from "./PaymentCode.js"
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

const vnd = Currency.make("VND")
const codeAttempts = 5

const make = Effect.gen(function*() {
  const roles = yield* PaidRoleRepo
  const guilds = yield* GuildRepo
  const entitlements = yield* GuildEntitlements
  const orders = yield* PaymentOrderRepo
  const settings = yield* PaymentSettingsRepo
  const stripe = yield* StripeGateway
  const polar = yield* PolarGateway
  const ledger = yield* BillingLedger
  const billing = yield* Billing
  const jobs = yield* Jobs
  const discord = yield* DiscordRoles
  const crypto = yield* Crypto

  const installedGuild = (tenantId: TenantId, guildId: GuildId) =>
    Effect.flatMap(
      guilds.find(tenantId, guildId),
      (guild) =>
        Option.exists(guild, (g) => g.status === "installed") ? Effect.void : Effect.fail(GuildNotFound.of(guildId))
    )

  const find = (tenantId: TenantId, guildId: GuildId, roleId: RoleId) =>
    Effect.flatMap(
      roles.find(tenantId, guildId, roleId),
      Option.match({ onNone: () => Effect.fail(PaidRoleNotFound.of(guildId, roleId)), onSome: Effect.succeed })
    )

  /**
   * Sells `roleId` in the guild (or changes how it is sold). A new paid role
   * must fit the plan's maxPaidRoles for the guild; one sold over SePay must be priced in VND.
   */
  const put = (
    tenantId: TenantId,
    guildId: GuildId,
    roleId: RoleId,
    input: PaidRoleInput
  ): Effect.Effect<PaidRole, GuildNotFound | TenantNotFound | PaidRoleLimitReached | SepaySellsVndOnly> =>
    Effect.gen(function*() {
      yield* installedGuild(tenantId, guildId)
      if (unsellableOverSepay([input]).length > 0) {
        return yield* SepaySellsVndOnly.of([{ guildId, roleId, currency: input.price.currency }])
      }
      const [existing, now] = yield* Effect.all([roles.find(tenantId, guildId, roleId), DateTime.now])
      if (Option.isNone(existing)) {
        const [sold, granted] = yield* Effect.all([
          roles.list(tenantId, guildId),
          entitlements.resolve(tenantId, guildId)
        ])
        if (!fitsWithin(granted.limits.maxPaidRoles, sold.length)) {
          return yield* PaidRoleLimitReached.of(granted.planKey, granted.limits.maxPaidRoles)
        }
      }
      const role = PaidRole.make({
        ...input,
        tenantId,
        guildId,
        roleId,
        createdAt: Option.match(existing, { onNone: () => now, onSome: (r) => r.createdAt }),
        updatedAt: now
      })
      yield* roles.upsert(role)
      return role
    })

  const remove = (tenantId: TenantId, guildId: GuildId, roleId: RoleId) =>
    Effect.flatMap(
      roles.remove(tenantId, guildId, roleId),
      (removed) => removed ? Effect.void : Effect.fail(PaidRoleNotFound.of(guildId, roleId))
    )

  const notConfigured = (provider: "polar" | "sepay") =>
    new PaymentProviderError({
      provider,
      reason: "not_configured",
      message: `${provider === "polar" ? "Polar" : "SePay"} is not configured for this tenant: ` +
        `an admin sets it up with PUT /billing/providers/${provider}`
    })

  /**
   * The order's pass paid: it starts now, when the payment is applied, whatever
   * date the transfer carries (a pass dated in the past would already be over).
   */
  const passPaid = (order: PaymentOrder, eventId: string, receivedMinor: number, now: DateTime.Utc): BillingEvent => ({
    _tag: "payment.succeeded",
    provider: "sepay",
    providerEventId: eventId,
    occurredAt: now,
    subject: {
      _tag: "MemberRole",
      tenantId: order.tenantId,
      guildId: order.guildId,
      roleId: order.roleId,
      userId: order.userId
    },
    correlationId: order.id,
    amount: { minor: receivedMinor, currency: vnd },
    paidThrough: DateTime.addDuration(now, Duration.days(order.passDays))
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
      yield* installedGuild(tenantId, guildId)
      const role = yield* find(tenantId, guildId, roleId)
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

  /**
   * A verified SePay transfer for the tenant: matched to its order by payment
   * code, account and amount. Paid (with an underpaid order's earlier
   * transfers, if any) → a pass from now (payment.succeeded) applied with the
   * order's settlement; short → the order held for review; money that cannot
   * pay its order (a second payment, dated before the order) → held for
   * review; anything else recorded as ignored. One ledger transaction each.
   */
  const ingestBankTransfer = (tenantId: TenantId, receipt: WebhookReceipt, transfer: BankTransfer) =>
    Effect.gen(function*() {
      const ignore = (note: string) =>
        ledger.record({ receipt, outcome: "ignored", note, transition: Option.none(), jobs: [] })
      const config = Option.flatMap(yield* settings.get(tenantId), (s) => Option.fromNullable(s.sepay))
      if (Option.isNone(config)) return yield* ignore("SePay is not configured for this tenant")
      const { codePrefix, suffixLength } = config.value.settings
      // SePay's extracted code first; when it names no order (or there is none), the code found in the content.
      const candidates = [
        ...(transfer.code !== null ? [normalizePaymentCode(transfer.code)] : []),
        findPaymentCode(transfer.content, codePrefix, suffixLength)
      ].filter((code, i, all): code is string => code !== null && all.indexOf(code) === i)
      if (candidates.length === 0) return yield* ignore("the transfer carries no payment code")
      const found = yield* Effect.reduce(
        candidates,
        Option.none<PaymentOrder>(),
        (found, code) => Option.isSome(found) ? Effect.succeed(found) : orders.findByCode(tenantId, code)
      )
      if (Option.isNone(found)) return yield* ignore(`no order has payment code ${candidates.join(" or ")}`)
      const order = found.value
      const now = yield* DateTime.now
      const match = matchTransfer(order, transfer, now)
      if (match._tag === "NotForThisOrder") return yield* ignore(match.reason)
      if (match._tag === "Held") {
        return yield* ledger.record({
          receipt,
          outcome: "held_for_review",
          note: `${transfer.amount} VND for order ${order.code} held for review: ${holdReasonText[match.reason]}`,
          transition: Option.none(),
          jobs: [holdTransferJob(tenantId, {
            tenantId,
            transactionId: transfer.id,
            orderId: order.id,
            amountMinor: transfer.amount,
            currency: vnd,
            reason: match.reason,
            occurredAt: transfer.occurredAt,
            heldAt: now
          })]
        })
      }
      const settle = settleOrderJob(tenantId, {
        tenantId,
        orderId: order.id,
        expected: {
          status: order.status === "underpaid" ? "underpaid" : "pending",
          receivedMinor: order.receivedMinor
        },
        status: match._tag === "Paid" ? "paid" : "underpaid",
        receivedMinor: match.receivedMinor,
        overpaidMinor: match._tag === "Paid" ? match.overpaidMinor : 0,
        transactionId: transfer.id,
        settledAt: now,
        transfer: { amountMinor: transfer.amount, currency: vnd, occurredAt: transfer.occurredAt }
      }, `sepay:${transfer.id}`)
      if (match._tag === "Underpaid") {
        return yield* ledger.record({
          receipt,
          outcome: "held_for_review",
          note: `received ${match.receivedMinor} of ${order.amountDue.minor} VND for order ${order.code}: ` +
            "held for an admin to review",
          transition: Option.none(),
          jobs: [settle]
        })
      }
      return yield* billing.apply(receipt, passPaid(order, transfer.id, match.receivedMinor, now), [settle])
    })
  /** A member (re)joined: grants again every paid role they still have access to. */
  const regrant = (tenantId: TenantId, guildId: GuildId, userId: UserId) =>
    Effect.gen(function*() {
      const now = yield* DateTime.now
      const held = yield* ledger.listSubscriptions(tenantId, { guildId, userId, limit: 1_000 })
      const grants = held.filter(hasAccess).flatMap((state) =>
        state.subject._tag === "MemberRole" ? [{ ...state.subject, _tag: "GrantRole" as const }] : []
      )
      yield* jobs.enqueue(
        effectJobs(grants, { provider: "rejoin", providerEventId: `${guildId}:${userId}:${now.epochMillis}` }, now)
      )
      return grants.length
    })

  /**
   * Compares the roles members should hold in the guild with the roles they
   * hold, and enqueues the grants and revokes that close the gap.
   */
  const reconcileGuild = (tenantId: TenantId, guildId: GuildId): Effect.Effect<
    { readonly granted: number; readonly revoked: number },
    DiscordRoleError | GuildNotFound
  > =>
    Effect.gen(function*() {
      // The bot is no longer in a removed guild: there is nothing it could grant or revoke there.
      yield* installedGuild(tenantId, guildId)
      const now = yield* DateTime.now
      const subscriptions = yield* ledger.listSubscriptions(tenantId, { guildId, limit: 100_000 })
      const fixes = []
      for (const state of subscriptions) {
        if (state.subject._tag !== "MemberRole") continue
        const held = yield* discord.memberRoles(guildId, state.subject.userId)
        if (Option.isNone(held)) continue // not a member: granted again on rejoin
        const holds = held.value.includes(state.subject.roleId)
        if (hasAccess(state) && !holds) fixes.push({ ...state.subject, _tag: "GrantRole" as const })
        if (!hasAccess(state) && holds) fixes.push({ ...state.subject, _tag: "RevokeRole" as const })
      }
      yield* jobs.enqueue(
        effectJobs(fixes, { provider: "reconcile", providerEventId: `${guildId}:${now.epochMillis}` }, now)
      )
      return {
        granted: fixes.filter((fix) => fix._tag === "GrantRole").length,
        revoked: fixes.filter((fix) => fix._tag === "RevokeRole").length
      }
    })

  return {
    put,
    find,
    list: roles.list,
    remove,
    checkout,
    ingestBankTransfer,
    passPaid,
    regrant,
    reconcileGuild
  } as const
})

/** Roles a guild sells to its members, how members buy them, and keeping Discord in line with what was paid. */
export class PaidRoles extends Context.Tag("core/PaidRoles")<PaidRoles, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(PaidRoles, make)
}
