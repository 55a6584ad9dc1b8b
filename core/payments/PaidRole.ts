import { Schema } from "effect"
import { Money } from "../billing/Money.js"
import { GuildId, RoleId, TenantId } from "../ids.js"

/** A payment provider a member can buy a role through. */
export const RoleProvider = Schema.Literal("stripe", "polar", "sepay")
export type RoleProvider = typeof RoleProvider.Type

/** What a guild admin configures to sell a Discord role. */
export const PaidRoleInput = Schema.Struct({
  name: Schema.Trim.pipe(
    Schema.minLength(1, { message: () => "A paid role needs a name" }),
    Schema.maxLength(100, { message: () => "A paid role's name must be at most 100 characters" })
  ),
  price: Money.annotations({
    description: "What a member pays. SePay sells VND only: a role with sepayPassDays must be priced in VND."
  }),
  /** Stripe price id (price_...) to sell the role as a Stripe subscription; null when not sold on Stripe. */
  stripePriceId: Schema.NullOr(Schema.String.pipe(Schema.pattern(/^price_[A-Za-z0-9]+$/, {
    message: () => "Expected a Stripe price id such as price_1Nxyz"
  }))),
  /** Polar product id to sell the role as a Polar subscription; null when not sold on Polar. */
  polarProductId: Schema.NullOr(Schema.UUID),
  /** Days a SePay bank-transfer pass lasts; null when not sold over SePay. */
  sepayPassDays: Schema.NullOr(Schema.Int.pipe(Schema.between(1, 3660))),
  /** Days of full access after a failed renewal before the role is revoked. */
  graceDays: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 90)), { default: () => 3 })
})
export type PaidRoleInput = typeof PaidRoleInput.Type

export class PaidRole extends Schema.Class<PaidRole>("PaidRole")({
  tenantId: TenantId,
  guildId: GuildId,
  roleId: RoleId,
  ...PaidRoleInput.fields,
  createdAt: Schema.DateTimeUtc,
  updatedAt: Schema.DateTimeUtc
}) {}

/** The providers a member can buy this role through. */
export const providersOf = (role: PaidRole): ReadonlyArray<RoleProvider> => [
  ...(role.stripePriceId !== null ? ["stripe" as const] : []),
  ...(role.polarProductId !== null ? ["polar" as const] : []),
  ...(role.sepayPassDays !== null ? ["sepay" as const] : [])
]

/** SePay reports transfers in dong: only a VND price can be sold over it. */
export const sellableOverSepay = (role: { readonly price: Money }): boolean => role.price.currency === "VND"

/** Roles sold over SePay (sepayPassDays set) at a price SePay cannot take. */
export const unsellableOverSepay = <R extends { readonly price: Money; readonly sepayPassDays: number | null }>(
  roles: ReadonlyArray<R>
): ReadonlyArray<R> => roles.filter((role) => role.sepayPassDays !== null && !sellableOverSepay(role))
