import { Effect, Schema } from "effect"
import type { Money } from "../../billing/Money.js"
import { RoleId } from "../../ids.js"
import { CommandRefused } from "../BotCommands.js"
import { type CommandInvocation, stringOption } from "../CommandInvocation.js"

/** A typed failure as the member reads it: its message, and its remediation when it has one. */
export const refusalOf = (error: { readonly message: string }): CommandRefused =>
  CommandRefused.of(
    error.message,
    "remediation" in error && typeof error.remediation === "string" ? error.remediation : null
  )

/** Every expected failure of `effect` answered as a refusal (defects stay defects). */
export const refusing = <A, E extends { readonly message: string }, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, CommandRefused, R> => Effect.mapError(effect, refusalOf)

/** Currencies without a minor unit: their amounts are whole units. */
const wholeUnitCurrencies = new Set(["VND", "JPY", "KRW", "CLP", "ISK", "UGX", "XAF", "XOF"])

/** "5.00 USD", "99,000 VND". */
export const formatMoney = (money: Money): string =>
  wholeUnitCurrencies.has(money.currency)
    ? `${money.minor.toLocaleString("en-US")} ${money.currency}`
    : `${
      (money.minor / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    } ${money.currency}`

/** A role as Discord renders a mention. */
export const roleMention = (roleId: string): string => `<@&${roleId}>`

/** Comma- or space-separated words, lower-cased, without repeats. */
export const wordList = (
  text: string | undefined
): ReadonlyArray<string> => [
  ...new Set((text ?? "").split(/[\s,]+/).map((word) => word.trim().toLowerCase()).filter((word) => word !== ""))
]

/** The role option `name` (Discord sends its snowflake); undefined when absent. */
export const roleIdOption = (
  invocation: CommandInvocation,
  name: string
): Effect.Effect<RoleId | undefined, CommandRefused> => {
  const value = stringOption(invocation, name)
  if (value === undefined) return Effect.succeed(undefined)
  return Effect.mapError(
    Schema.decodeUnknown(RoleId)(value),
    () => CommandRefused.of(`'${value}' is not a role`, "Pick the role from the list Discord offers")
  )
}
