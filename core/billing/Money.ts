import { Schema } from "effect"

/** An ISO 4217 currency code, upper case (USD, EUR, VND). */
export const Currency = Schema.String.pipe(
  Schema.pattern(/^[A-Z]{3}$/, { message: () => "Expected an ISO 4217 currency code such as USD, EUR or VND" }),
  Schema.brand("Currency")
)
export type Currency = typeof Currency.Type

/** An amount in the currency's minor unit (cents; whole dong for VND, which has none). */
export const Money = Schema.Struct({
  minor: Schema.Int.pipe(Schema.nonNegative({ message: () => "An amount must not be negative" })).annotations({
    description: "A whole number of the currency's smallest unit: cents for USD and EUR (1000 is 10.00), " +
      "whole dong for VND, which has no minor unit (50000 is 50,000 ₫), whole yen for JPY"
  }),
  currency: Currency
})
export type Money = typeof Money.Type

const decodeCurrency = Schema.decodeUnknownOption(Currency)

/**
 * An amount as a payment provider reports it (minor units, a currency code in
 * any letter case), or null when it is missing, negative, fractional or in
 * no ISO currency: a provider's odd amount is left out, not guessed at.
 */
export const moneyOf = (minor: number | null | undefined, currency: string | null | undefined): Money | null => {
  if (minor === null || minor === undefined || currency === null || currency === undefined) return null
  const code = decodeCurrency(currency.toUpperCase())
  return code._tag === "Some" && Number.isInteger(minor) && minor >= 0 ? { minor, currency: code.value } : null
}
