import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { BillingLedger, PaidRoles } from "../../../core/index.js"
import { holderOf } from "../Access.js"
import { Api } from "../Api.js"
import { providerErrorToHttp } from "../Billing/Http.js"
import { returnLinksOf } from "../Pages/returnLinks.js"
import { PublicUrl } from "../PublicUrl.js"

const subscriptionsShown = 1_000

export const PaidRolesLive = HttpApiBuilder.group(Api, "paidRoles", (handlers) =>
  Effect.gen(function*() {
    const paidRoles = yield* PaidRoles
    const ledger = yield* BillingLedger
    const links = returnLinksOf(yield* PublicUrl)

    return handlers
      .handle("list", ({ path }) =>
        Effect.flatMap(holderOf(path.guildId), (tenantId) => paidRoles.list(tenantId, path.guildId)))
      .handle("put", ({ path, payload }) =>
        Effect.flatMap(holderOf(path.guildId), (tenantId) =>
          paidRoles.put(tenantId, path.guildId, path.roleId, payload)))
      .handle("remove", ({ path }) =>
        Effect.flatMap(holderOf(path.guildId), (tenantId) =>
          paidRoles.remove(tenantId, path.guildId, path.roleId)))
      .handle("checkout", ({ path, payload }) =>
        Effect.gen(function*() {
          const tenantId = yield* holderOf(path.guildId)
          const offer = yield* paidRoles.checkout(
            tenantId,
            path.guildId,
            path.roleId,
            payload.userId,
            payload.provider,
            {
              successUrl: payload.successUrl ?? links.successUrl,
              cancelUrl: payload.cancelUrl ?? links.cancelUrl
            }
          )
          if (offer._tag === "Link") {
            return {
              kind: "link" as const,
              provider: offer.provider,
              url: offer.link.url,
              checkoutId: offer.link.checkoutId
            }
          }
          const { order } = offer
          return {
            kind: "bank_transfer" as const,
            provider: "sepay" as const,
            orderId: order.id,
            paymentCode: order.code,
            amount: order.amountDue,
            accountNumber: order.accountNumber,
            bankCode: order.bankCode,
            qrImageUrl: offer.qrImageUrl,
            expiresAt: order.expiresAt
          }
        }).pipe(providerErrorToHttp))
      .handle("subscriptions", ({ path, urlParams }) =>
        Effect.flatMap(holderOf(path.guildId), (tenantId) =>
          ledger.listSubscriptions(tenantId, {
            guildId: path.guildId,
            ...(urlParams.userId === undefined ? {} : { userId: urlParams.userId }),
            limit: subscriptionsShown
          })))
      .handle("reconcile", ({ path }) =>
        Effect.flatMap(holderOf(path.guildId), (tenantId) =>
          paidRoles.reconcileGuild(tenantId, path.guildId)))
  }))
