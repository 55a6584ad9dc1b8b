import type { CommandContext } from "../guardrail/CommandContext.js"
import type { ApplicationId } from "../ports/DiscordCommands.js"

/** An option's value as Discord sends it; user, role and channel options are their snowflake ids. */
export type OptionValue = string | number | boolean

/** One slash command as the Discord adapter received it: the guardrail's context plus what the member typed. */
export interface CommandInvocation {
  readonly context: CommandContext
  /** The invoked (sub)command's options by name. */
  readonly options: Readonly<Record<string, OptionValue>>
  /** The guild's name, for messages. */
  readonly guildName: string
  /** The Discord application (the platform's bot or a tenant's own) the command was sent to. */
  readonly applicationId: ApplicationId
}

/** The string option `name`, trimmed; undefined when absent or blank. */
export const stringOption = (invocation: CommandInvocation, name: string): string | undefined => {
  const value = invocation.options[name]
  if (value === undefined) return undefined
  const text = String(value).trim()
  return text === "" ? undefined : text
}

/** The numeric option `name`; undefined when absent. */
export const numberOption = (invocation: CommandInvocation, name: string): number | undefined => {
  const value = invocation.options[name]
  return typeof value === "number" ? value : undefined
}

/** The boolean option `name`; undefined when absent. */
export const booleanOption = (invocation: CommandInvocation, name: string): boolean | undefined => {
  const value = invocation.options[name]
  return typeof value === "boolean" ? value : undefined
}
