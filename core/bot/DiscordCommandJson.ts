import type { CommandDefinition, CommandOption, CommandOptionType, SubcommandDefinition } from "../features/Feature.js"
import type { FeatureRegistryService } from "../features/FeatureRegistry.js"
import { isInPlan } from "../features/GuildFeatures.js"
import type { PolicySnapshot } from "../guardrail/PolicySnapshot.js"
import type { CryptoService } from "../ports/Crypto.js"

/**
 * Feature commands as Discord's application command JSON
 * (https://discord.com/developers/docs/interactions/application-commands),
 * the body of the guild commands bulk overwrite. Pure: the same definitions
 * give the same JSON, so a guild's set can be hashed and compared.
 */

/** Discord's application command option types. */
export const DiscordOptionType = {
  subcommand: 1,
  subcommandGroup: 2,
  string: 3,
  integer: 4,
  boolean: 5,
  user: 6,
  channel: 7,
  role: 8,
  number: 10
} as const

const optionTypes: Record<CommandOptionType, number> = {
  string: DiscordOptionType.string,
  integer: DiscordOptionType.integer,
  number: DiscordOptionType.number,
  boolean: DiscordOptionType.boolean,
  user: DiscordOptionType.user,
  channel: DiscordOptionType.channel,
  role: DiscordOptionType.role
}

export interface DiscordCommandChoiceJson {
  readonly name: string
  readonly value: string | number
}

export interface DiscordCommandOptionJson {
  readonly type: number
  readonly name: string
  readonly description: string
  readonly required?: boolean
  readonly choices?: ReadonlyArray<DiscordCommandChoiceJson>
  /** A subcommand's options, or a group's subcommands. */
  readonly options?: ReadonlyArray<DiscordCommandOptionJson>
}

export interface DiscordCommandJson {
  /** 1: CHAT_INPUT (a slash command). */
  readonly type: 1
  readonly name: string
  readonly description: string
  readonly options?: ReadonlyArray<DiscordCommandOptionJson>
  /** Permission bits as a decimal string: who sees the command by default (a hint; the guardrail decides). null: everyone. */
  readonly default_member_permissions: string | null
  /** 0: guild only. */
  readonly contexts: ReadonlyArray<0>
  readonly dm_permission: false
}

const optionJson = (option: CommandOption): DiscordCommandOptionJson => ({
  type: optionTypes[option.type],
  name: option.name,
  description: option.description,
  ...(option.required === true ? { required: true } : {}),
  ...(option.choices !== undefined && option.choices.length > 0
    ? { choices: option.choices.map((choice) => ({ name: choice.name, value: choice.value })) }
    : {})
})

/** A command's or subcommand's children: its subcommands (groups when they have subcommands), else its options. */
const childrenJson = (
  node: CommandDefinition | SubcommandDefinition
): ReadonlyArray<DiscordCommandOptionJson> =>
  node.subcommands !== undefined && node.subcommands.length > 0
    ? node.subcommands.map(subcommandJson)
    : (node.options ?? []).map(optionJson)

const subcommandJson = (sub: SubcommandDefinition): DiscordCommandOptionJson => {
  const children = childrenJson(sub)
  return {
    type: sub.subcommands !== undefined && sub.subcommands.length > 0
      ? DiscordOptionType.subcommandGroup
      : DiscordOptionType.subcommand,
    name: sub.name,
    description: sub.description,
    ...(children.length > 0 ? { options: children } : {})
  }
}

/** One command definition as Discord's JSON; options keep their definition order (required ones come first). */
export const commandJson = (command: CommandDefinition): DiscordCommandJson => {
  const children = childrenJson(command)
  return {
    type: 1,
    name: command.name,
    description: command.description,
    ...(children.length > 0 ? { options: children } : {}),
    default_member_permissions: command.memberPermissions === undefined ? null : command.memberPermissions.toString(),
    contexts: [0],
    dm_permission: false
  }
}

const byName = (a: DiscordCommandJson, b: DiscordCommandJson): number => a.name < b.name ? -1 : a.name > b.name ? 1 : 0

/** What the guild's set depends on: its plan and its toggles. */
export type CommandSetSource = Pick<PolicySnapshot, "entitlements" | "enabledFeatures">

/**
 * The commands a guild should have: those of the features its plan includes
 * and that are enabled there (essential features always are), sorted by name;
 * none for a retired tenant.
 */
export const desiredCommands = (
  registry: Pick<FeatureRegistryService, "features">,
  snapshot: CommandSetSource
): ReadonlyArray<DiscordCommandJson> =>
  registry.features
    .filter((feature) =>
      snapshot.entitlements.access !== "none" &&
      isInPlan(feature, snapshot.entitlements) &&
      (feature.access === "essential" || snapshot.enabledFeatures.has(feature.key))
    )
    .flatMap((feature) => feature.commands.map(commandJson))
    .sort(byName)

/** JSON with every object's keys sorted, so equal values always give equal text. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner)

/** The set's fingerprint: SHA-256 hex of its canonical JSON, in the order given (desiredCommands sorts by name). */
export const commandSetHash = (
  commands: ReadonlyArray<DiscordCommandJson>,
  crypto: Pick<CryptoService, "sha256Hex">
): string => crypto.sha256Hex(canonicalJson(commands))
