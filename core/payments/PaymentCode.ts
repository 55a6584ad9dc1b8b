import { Effect, Random } from "effect"
import type { SepaySettings } from "./PaymentSettings.js"

const alphabets = {
  digits: "0123456789",
  alphanumeric: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
} as const

/**
 * A fresh payment code: the tenant's prefix (upper case) and `suffixLength`
 * characters from its alphabet, drawn from Effect's Random (seedable in tests).
 * Uniqueness among open orders is the order repository's to enforce.
 */
export const generatePaymentCode = (
  settings: Pick<SepaySettings, "codePrefix" | "suffixLength" | "suffixAlphabet">
): Effect.Effect<string> =>
  Effect.gen(function*() {
    const alphabet = alphabets[settings.suffixAlphabet]
    let suffix = ""
    for (let i = 0; i < settings.suffixLength; i++) {
      suffix += alphabet[yield* Random.nextIntBetween(0, alphabet.length)]
    }
    return settings.codePrefix.toUpperCase() + suffix
  })

/** Codes are compared upper case and without surrounding blanks (members type them by hand). */
export const normalizePaymentCode = (code: string): string => code.trim().toUpperCase()

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * The first payment code in a transfer's content, for when SePay extracted
 * none: the prefix and exactly `suffixLength` letters or digits, matched case
 * insensitively as a whole token (no letter or digit right before or after).
 * A longer run such as "GHAB12CD34X" is not a code: money is never attributed
 * to an order on a guess; an unmatched transfer is recorded for review.
 */
export const findPaymentCode = (content: string, prefix: string, suffixLength: number): string | null => {
  const pattern = new RegExp(
    `(?<![A-Za-z0-9])${escapeRegExp(prefix)}[A-Za-z0-9]{${suffixLength}}(?![A-Za-z0-9])`,
    "i"
  )
  const found = pattern.exec(content)
  return found === null ? null : normalizePaymentCode(found[0])
}

/** Whether `code` appears in `content` as a whole token, case insensitively. */
export const contentContainsCode = (content: string, code: string): boolean =>
  new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(code)}(?![A-Za-z0-9])`, "i").test(content)
