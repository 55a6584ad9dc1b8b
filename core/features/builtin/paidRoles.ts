import { Schema } from "effect"
import { RoleId } from "../../ids.js"
import { defineCommand, defineFeature } from "../Feature.js"
import { Permission } from "../Permissions.js"

export const PaidRoleProvider = Schema.Literal("stripe", "polar", "sepay")
export type PaidRoleProvider = typeof PaidRoleProvider.Type

export const PaidRoleProduct = Schema.Struct({
  roleId: RoleId,
  name: Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(100)),
  /** In the currency's minor unit (cents; whole dong for VND). */
  price: Schema.Struct({
    minor: Schema.Int.pipe(Schema.positive()),
    currency: Schema.String.pipe(
      Schema.pattern(/^[A-Z]{3}$/, { message: () => "Expected an ISO 4217 currency code such as USD or VND" })
    )
  }),
  /** How long one purchase lasts; null: until revoked (a one-time purchase). */
  durationDays: Schema.NullOr(Schema.Int.pipe(Schema.positive())),
  providers: Schema.NonEmptyArray(PaidRoleProvider)
})
export type PaidRoleProduct = typeof PaidRoleProduct.Type

export const PaidRolesConfig = Schema.Struct({
  products: Schema.Array(PaidRoleProduct).pipe(
    Schema.filter((products) =>
      new Set(products.map((product) => product.roleId)).size === products.length ||
      "Each role can be sold by one product only"
    )
  )
})
export type PaidRolesConfig = typeof PaidRolesConfig.Type

export const purchaseCommand = defineCommand({
  name: "purchase",
  description: "Buy a role sold in this server",
  level: "member",
  // Selling a role the bot cannot grant would take money for nothing: refuse up front.
  botPermissions: Permission.ManageRoles,
  options: [
    { name: "product", description: "The role to buy", type: "string", required: true },
    {
      name: "provider",
      description: "How to pay (the role's first provider if omitted)",
      type: "string",
      choices: [
        { name: "Stripe", value: "stripe" },
        { name: "Polar", value: "polar" },
        { name: "SePay (bank transfer)", value: "sepay" }
      ]
    }
  ]
})

export const paidRolesCommand = defineCommand({
  name: "paidroles",
  description: "Manage the roles sold in this server",
  level: "admin",
  memberPermissions: Permission.ManageGuild,
  botPermissions: Permission.ManageRoles,
  subcommands: [
    { name: "list", description: "List the roles for sale" },
    {
      name: "add",
      description: "Sell a role",
      options: [
        { name: "role", description: "The role to sell", type: "role", required: true },
        { name: "price", description: "Price in the currency's minor unit", type: "integer", required: true },
        { name: "currency", description: "ISO 4217 currency code, e.g. USD", type: "string", required: true },
        { name: "days", description: "How long a purchase lasts (forever if omitted)", type: "integer" }
      ]
    },
    {
      name: "remove",
      description: "Stop selling a role",
      options: [{ name: "role", description: "The role to stop selling", type: "role", required: true }]
    }
  ]
})

/** Discord roles sold through Stripe, Polar or SePay, granted while paid for. */
export const paidRolesFeature = defineFeature<PaidRolesConfig>({
  key: "paid-roles",
  name: "Paid roles",
  description: "Sell roles for one-time or recurring payments; the role follows the payment.",
  requires: "paid-roles",
  access: "write",
  config: { schema: PaidRolesConfig, defaults: { products: [] }, version: 1, migrations: [] },
  commands: [purchaseCommand, paidRolesCommand]
})
