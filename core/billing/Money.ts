import { Schema } from "effect"

/** An ISO 4217 currency code, upper case (USD, EUR, VND). */
export const Currency = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{3}$/, { message: () => "Expected an ISO 4217 currency code such as USD, EUR or VND" }),
  Schema.brand("Currency")
)
export type Currency = typeof Currency.Type

/** An amount in the currency's minor unit (cents; whole dong for VND, which has none). */
export const Money = Schema.Struct({
  minor: Schema.Int.pipe(Schema.nonNegative({ message: () => "An amount must not be negative" })),
  currency: Currency
})
export type Money = typeof Money.Type
