import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { GuildId, Money, PaidRole, PaidRoleInput, RoleId, RoleProvider, UserId } from "../../../core/index.js"
import { Authentication } from "../Auth.js"
import { assetsAlias, underGuild } from "../GuildPaths.js"
import {
  DiscordRoleError,
  GuildNotFound,
  PaidRoleLimitReached,
  PaidRoleNotFound,
  PayloadTooLarge,
  PaymentProviderFailed,
  PaymentProviderNotConfigured,
  ProviderNotOffered,
  SepaySellsVndOnly,
  TenantNotFound
} from "../shared/Errors.js"
import { SubscriptionView } from "../shared/Views.js"

export const PaidRoleView = Schema.Struct(PaidRole.fields).annotations({ identifier: "PaidRole" })

const GuildPath = Schema.Struct({ guildId: GuildId })
const RolePath = Schema.Struct({ guildId: GuildId, roleId: RoleId })

export const StartRoleCheckout = Schema.Struct({
  userId: UserId.annotations({ description: "The member buying the role" }),
  provider: Schema.optional(RoleProvider).annotations({
    description: "stripe, polar or sepay; the first the role is sold through when omitted"
  }),
  successUrl: Schema.optional(Schema.String),
  cancelUrl: Schema.optional(Schema.String)
}).annotations({ identifier: "StartRoleCheckout" })

export const RoleCheckoutView = Schema.Union(
  Schema.Struct({
    kind: Schema.Literal("link"),
    provider: Schema.Literal("stripe", "polar"),
    url: Schema.String,
    checkoutId: Schema.String
  }),
  Schema.Struct({
    kind: Schema.Literal("bank_transfer"),
    provider: Schema.Literal("sepay"),
    orderId: Schema.String,
    /** Put exactly this in the transfer's content. */
    paymentCode: Schema.String,
    amount: Money,
    accountNumber: Schema.String,
    bankCode: Schema.String,
    qrImageUrl: Schema.String,
    expiresAt: Schema.DateTimeUtc
  })
).annotations({ identifier: "RoleCheckout" })

const paidRolesGroup = <const Name extends string>(name: Name) =>
  HttpApiGroup.make(name)
    .add(
      HttpApiEndpoint.get("list", "/paid-roles")
        .setPath(GuildPath)
        .addSuccess(Schema.Array(PaidRoleView))
        .annotate(OpenApi.Summary, "The roles a guild sells")
    )
    .add(
      HttpApiEndpoint.put("put", "/paid-roles/:roleId")
        .setPath(RolePath)
        .setPayload(PaidRoleInput.annotations({ identifier: "PaidRoleInput" }))
        .addSuccess(PaidRoleView)
        .addError(PaidRoleLimitReached)
        .addError(SepaySellsVndOnly)
        .addError(PayloadTooLarge)
        .annotate(OpenApi.Summary, "Sell a role (or change how it is sold)")
        .annotate(
          OpenApi.Description,
          "Price, and the providers it is sold through: a Stripe price, a Polar product, and/or SePay passes of " +
            "`sepayPassDays` days. `price.minor` is a whole number of the currency's smallest unit: cents for USD " +
            "(1000 is 10.00 USD), whole dong for VND, which has no minor unit (50000 is 50,000 ₫). SePay sells VND " +
            "only: a role with `sepayPassDays` priced in another currency is refused (400 SepaySellsVndOnly). A new " +
            "paid role must fit the plan's maxPaidRoles (403 with the upgrade hint)."
        )
    )
    .add(
      HttpApiEndpoint.del("remove", "/paid-roles/:roleId")
        .setPath(RolePath)
        .addSuccess(Schema.Void, { status: 204 })
        .addError(PaidRoleNotFound)
        .annotate(OpenApi.Summary, "Stop selling a role (members keep what they paid for)")
    )
    .add(
      HttpApiEndpoint.post("checkout", "/paid-roles/:roleId/checkout")
        .setPath(RolePath)
        .setPayload(StartRoleCheckout)
        .addSuccess(RoleCheckoutView)
        .addError(PaidRoleNotFound)
        .addError(ProviderNotOffered)
        .addError(SepaySellsVndOnly)
        .addError(PaymentProviderNotConfigured)
        .addError(PaymentProviderFailed)
        .addError(PayloadTooLarge)
        .annotate(OpenApi.Summary, "A member's purchase link (Stripe, Polar) or bank-transfer order (SePay)")
    )
    .add(
      HttpApiEndpoint.get("subscriptions", "/subscriptions")
        .setPath(GuildPath)
        .setUrlParams(Schema.Struct({ userId: Schema.optional(UserId) }))
        .addSuccess(Schema.Array(SubscriptionView))
        .annotate(OpenApi.Summary, "Members' paid-role subscriptions in the guild (one member's with ?userId=)")
    )
    .add(
      HttpApiEndpoint.post("reconcile", "/paid-roles/reconcile")
        .setPath(GuildPath)
        .addSuccess(Schema.Struct({ granted: Schema.Int, revoked: Schema.Int }))
        .addError(DiscordRoleError)
        .annotate(OpenApi.Summary, "Compare paid roles with the roles members hold, and fix the difference")
        .annotate(
          OpenApi.Description,
          "Grants the role to members who paid and lack it, revokes it from members whose subscription ended " +
            "(never kicks). The fixes run as jobs; the counts say how many were enqueued."
        )
    )
    .addError(GuildNotFound)
    .addError(TenantNotFound)
    .middleware(Authentication)

export class PaidRolesApi extends underGuild(paidRolesGroup("paidRoles"))
  .annotate(OpenApi.Description, "Discord roles a guild sells to its members")
{}

export class AssetsPaidRolesApi extends assetsAlias(paidRolesGroup("assetsPaidRoles")) {}
