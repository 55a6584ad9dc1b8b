import { HttpApiBuilder } from "@effect/platform"
import { Effect, Layer } from "effect"
import { BillingLedger, PaidRoles } from "../../../core/index.js"
import { Api } from "../Api.js"
import { returnLinksOf } from "../Pages/returnLinks.js"
import { forGuild } from "../Policy.js"
import { PublicUrl } from "../PublicUrl.js"
import type { ServedGroup } from "../ServedGroup.js"
import { providerErrorToHttp } from "../shared/Errors.js"
import type { PaidRolesApi } from "./Api.js"

const subscriptionsShown = 1_000

const handlers = (group: ServedGroup<typeof PaidRolesApi>) =>
  Effect.gen(function*() {
    const paidRoles = yield* PaidRoles
    const ledger = yield* BillingLedger
    const links = returnLinksOf(yield* PublicUrl)

    return group
      .handle("list", forGuild(({ guildId, tenantId }) => paidRoles.list(tenantId, guildId)))
      .handle(
        "put",
        forGuild(({ guildId, tenantId }, { path, payload }) => paidRoles.put(tenantId, guildId, path.roleId, payload))
      )
      .handle(
        "remove",
        forGuild(({ guildId, tenantId }, { path }) => paidRoles.remove(tenantId, guildId, path.roleId))
      )
      .handle(
        "checkout",
        forGuild(({ guildId, tenantId }, { path, payload }) =>
          Effect.gen(function*() {
            const offer = yield* paidRoles.checkout(
              tenantId,
              guildId,
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
          }).pipe(providerErrorToHttp)
        )
      )
      .handle(
        "subscriptions",
        forGuild(({ guildId, tenantId }, { urlParams }) =>
          ledger.listSubscriptions(tenantId, {
            guildId,
            ...(urlParams.userId === undefined ? {} : { userId: urlParams.userId }),
            limit: subscriptionsShown
          })
        )
      )
      .handle("reconcile", forGuild(({ guildId, tenantId }) => paidRoles.reconcileGuild(tenantId, guildId)))
  })

export const HttpPaidRolesLive = Layer.merge(
  HttpApiBuilder.group(Api, "paidRoles", handlers),
  HttpApiBuilder.group(Api, "assetsPaidRoles", handlers)
)
