import { Either, Schema } from "effect"
import { formatIssues } from "../formatIssues.js"
import type { CommandDefinition, CommandOption, FeatureDefinition, SubcommandDefinition } from "./Feature.js"

/** Discord's limits on application commands (https://discord.com/developers/docs/interactions/application-commands). */
export const discordLimits = {
  slashCommandsPerGuild: 100,
  charactersPerCommand: 8_000,
  optionsPerLevel: 25,
  choicesPerOption: 25,
  descriptionLength: 100,
  choiceNameLength: 100
} as const

const commandName = /^[-_\p{L}\p{N}]{1,32}$/u
/** Rule targets name features as `feature:<key>` (core/rbac/Rule.ts), so keys must fit that pattern. */
const featureKey = /^[a-z][a-z0-9_-]{0,31}$/

type Node = CommandDefinition | SubcommandDefinition

const checkName = (where: string, name: string): ReadonlyArray<string> =>
  !commandName.test(name)
    ? [`${where}: name '${name}' must be 1-32 letters, digits, '-' or '_'`]
    : name !== name.toLowerCase()
    ? [`${where}: name '${name}' must be lowercase`]
    : []

const checkDescription = (where: string, description: string): ReadonlyArray<string> =>
  description.length < 1 || description.length > discordLimits.descriptionLength
    ? [`${where}: description must be 1-${discordLimits.descriptionLength} characters (has ${description.length})`]
    : []

const duplicates = (
  names: ReadonlyArray<string>
): ReadonlyArray<string> => [...new Set(names.filter((name, index) => names.indexOf(name) !== index))]

const checkOption = (where: string, option: CommandOption): ReadonlyArray<string> => {
  const at = `${where} option '${option.name}'`
  const choices = option.choices ?? []
  const valueType = option.type === "string"
    ? "string"
    : option.type === "integer" || option.type === "number"
    ? "number"
    : undefined
  return [
    ...checkName(at, option.name),
    ...checkDescription(at, option.description),
    ...(choices.length > 0 && valueType === undefined
      ? [`${at}: choices are only allowed on string, integer and number options`]
      : []),
    ...(choices.length > discordLimits.choicesPerOption
      ? [`${at}: at most ${discordLimits.choicesPerOption} choices (has ${choices.length})`]
      : []),
    ...choices.flatMap((choice) => [
      ...(choice.name.length < 1 || choice.name.length > discordLimits.choiceNameLength
        ? [`${at}: choice name '${choice.name}' must be 1-${discordLimits.choiceNameLength} characters`]
        : []),
      ...(valueType !== undefined && typeof choice.value !== valueType
        ? [`${at}: choice '${choice.name}' must have a ${valueType} value`]
        : [])
    ])
  ]
}

const checkRequirements = (where: string, node: Node): ReadonlyArray<string> => [
  ...(node.cooldownSeconds !== undefined && !(Number.isInteger(node.cooldownSeconds) && node.cooldownSeconds >= 0)
    ? [`${where}: cooldownSeconds must be a whole number of seconds, 0 or more`]
    : []),
  ...(node.memberPermissions !== undefined && node.memberPermissions < 0n
    ? [`${where}: memberPermissions must not be negative`]
    : []),
  ...(node.botPermissions !== undefined && node.botPermissions < 0n
    ? [`${where}: botPermissions must not be negative`]
    : [])
]

/**
 * One command level: its name, description, options (at most 25, required
 * first, unique names) or subcommands (at most 25, unique, groups only one
 * level deep), never both.
 */
const checkNode = (where: string, node: Node, depth: number): ReadonlyArray<string> => {
  const options = node.options ?? []
  const subcommands = node.subcommands ?? []
  const firstOptional = options.findIndex((option) => option.required !== true)
  const misplacedRequired = options.filter((option, index) => option.required === true && index > firstOptional)
  return [
    ...checkName(where, node.name),
    ...checkDescription(where, node.description),
    ...checkRequirements(where, node),
    ...(options.length > discordLimits.optionsPerLevel
      ? [`${where}: at most ${discordLimits.optionsPerLevel} options (has ${options.length})`]
      : []),
    ...(subcommands.length > discordLimits.optionsPerLevel
      ? [`${where}: at most ${discordLimits.optionsPerLevel} subcommands (has ${subcommands.length})`]
      : []),
    ...(options.length > 0 && subcommands.length > 0
      ? [`${where}: cannot have both options and subcommands`]
      : []),
    ...(depth >= 3 && subcommands.length > 0
      ? [`${where}: subcommand groups can be nested only one level deep`]
      : []),
    ...(firstOptional >= 0 && misplacedRequired.length > 0
      ? [
        `${where}: required options must come before optional ones (${misplacedRequired.map((o) => o.name).join(", ")})`
      ]
      : []),
    ...duplicates(options.map((option) => option.name)).map((name) => `${where}: option '${name}' is defined twice`),
    ...duplicates(subcommands.map((sub) => sub.name)).map((name) => `${where}: subcommand '${name}' is defined twice`),
    ...options.flatMap((option) => checkOption(where, option)),
    ...subcommands.flatMap((sub) => checkNode(`${where} ${sub.name}`, sub, depth + 1))
  ]
}

/** The characters Discord counts against a command's 8,000: names, descriptions, option names, descriptions and choices. */
export const commandCharacters = (node: Node): number =>
  node.name.length +
  node.description.length +
  (node.options ?? []).reduce(
    (sum, option) =>
      sum + option.name.length + option.description.length +
      (option.choices ?? []).reduce((total, choice) => total + choice.name.length + String(choice.value).length, 0),
    0
  ) +
  (node.subcommands ?? []).reduce((sum, sub) => sum + commandCharacters(sub), 0)

const checkCommand = (where: string, command: CommandDefinition): ReadonlyArray<string> => {
  const characters = commandCharacters(command)
  return [
    ...checkNode(where, command, 1),
    ...(characters > discordLimits.charactersPerCommand
      ? [`${where}: ${characters} characters, more than Discord's ${discordLimits.charactersPerCommand} per command`]
      : [])
  ]
}

const checkConfig = (where: string, feature: FeatureDefinition): ReadonlyArray<string> => {
  const { defaults, migrations, schema, version } = feature.config
  const froms = migrations.map((migration) => migration.from)
  const encoded = Schema.encodeEither(schema)(defaults)
  const decoded = Either.flatMap(encoded, Schema.decodeUnknownEither(schema))
  return [
    ...(!Number.isInteger(version) || version < 1
      ? [`${where}: config version must be a whole number, 1 or more`]
      : []),
    ...froms.filter((from) => !Number.isInteger(from) || from < 1 || from >= version).map((from) =>
      `${where}: config migration from version ${from} does not lead to version ${version}`
    ),
    ...duplicates(froms.map(String)).map((from) => `${where}: two config migrations from version ${from}`),
    ...(Either.isLeft(decoded)
      ? [
        `${where}: config defaults do not match the schema: ${formatIssues(decoded.left)}`
      ]
      : [])
  ]
}

/**
 * Every problem with a set of feature definitions, checked at startup so a
 * bad definition never reaches Discord: unique feature keys and command
 * names, Discord's naming and size limits, and config defaults and
 * migrations that fit the schema and version. Empty when all is well.
 */
export const validateFeatures = (features: ReadonlyArray<FeatureDefinition>): ReadonlyArray<string> => {
  const commands = features.flatMap((feature) => feature.commands.map((command) => ({ feature, command })))
  const commandOwners = (name: string) =>
    commands.filter((entry) => entry.command.name === name).map((entry) => `'${entry.feature.key}'`)
  return [
    ...duplicates(features.map((feature) => feature.key)).map((key) => `feature '${key}' is defined more than once`),
    ...duplicates(commands.map((entry) => entry.command.name)).map((name) =>
      `command /${name} is defined more than once (features ${[...new Set(commandOwners(name))].join(", ")})`
    ),
    ...(commands.length > discordLimits.slashCommandsPerGuild
      ? [`${commands.length} slash commands, more than Discord's ${discordLimits.slashCommandsPerGuild} per guild`]
      : []),
    ...features.flatMap((feature) => {
      const where = `feature '${feature.key}'`
      return [
        ...(featureKey.test(feature.key)
          ? []
          : [`${where}: key must be 1-32 lowercase letters, digits, '-' or '_', starting with a letter`]),
        ...(feature.name.trim().length === 0 ? [`${where}: name must not be empty`] : []),
        ...checkConfig(where, feature),
        ...feature.commands.flatMap((command) => checkCommand(`${where} command /${command.name}`, command))
      ]
    })
  ]
}
