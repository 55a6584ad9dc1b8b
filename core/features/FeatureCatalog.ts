import { Schema } from "effect"
import type {
  CommandDefinition,
  CommandOption,
  FeatureDefinition,
  MemberLevel,
  SubcommandDefinition
} from "./Feature.js"

/** Permission bits as a decimal string: JSON has no 64-bit integers. */
const Bits = Schema.String.pipe(Schema.pattern(/^[0-9]+$/))

const OptionManifest = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  type: Schema.Literal("string", "integer", "number", "boolean", "user", "channel", "role"),
  required: Schema.Boolean,
  choices: Schema.Array(Schema.Struct({ name: Schema.String, value: Schema.Union(Schema.String, Schema.Number) }))
})

export interface CommandManifestEncoded {
  readonly name: string
  readonly description: string
  readonly level: MemberLevel | null
  readonly memberPermissions: string | null
  readonly botPermissions: string | null
  readonly cooldownSeconds: number | null
  readonly options: ReadonlyArray<typeof OptionManifest.Encoded>
  readonly subcommands: ReadonlyArray<CommandManifestEncoded>
}

/** A command as the catalog stores it: JSON-safe, every field present (null: not set at this level). */
export const CommandManifest: Schema.Schema<CommandManifestEncoded> = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  level: Schema.NullOr(Schema.Literal("member", "mod", "admin", "owner")),
  memberPermissions: Schema.NullOr(Bits),
  botPermissions: Schema.NullOr(Bits),
  cooldownSeconds: Schema.NullOr(Schema.Number),
  options: Schema.Array(OptionManifest),
  subcommands: Schema.Array(Schema.suspend(() => CommandManifest))
})
export type CommandManifest = typeof CommandManifest.Type

/** What the registry tells the database about one feature, for operators to list and manage. */
export class FeatureCatalogEntry extends Schema.Class<FeatureCatalogEntry>("FeatureCatalogEntry")({
  key: Schema.String,
  name: Schema.String,
  description: Schema.String,
  requires: Schema.NullOr(Schema.String),
  access: Schema.Literal("essential", "read", "write"),
  commands: Schema.Array(CommandManifest),
  configVersion: Schema.Int
}) {}

/** A catalog row: the entry as last synced, and whether the running registry still has it. */
export class FeatureCatalogRecord extends Schema.Class<FeatureCatalogRecord>("FeatureCatalogRecord")({
  ...FeatureCatalogEntry.fields,
  /** When a registry last listed it. */
  syncedAt: Schema.DateTimeUtc,
  /** When a sync first found it gone from the registry; null while registered. */
  retiredAt: Schema.NullOr(Schema.DateTimeUtc)
}) {}

const optionManifest = (option: CommandOption): typeof OptionManifest.Type => ({
  name: option.name,
  description: option.description,
  type: option.type,
  required: option.required ?? false,
  choices: option.choices ?? []
})

const commandManifest = (command: CommandDefinition | SubcommandDefinition): CommandManifest => ({
  name: command.name,
  description: command.description,
  level: command.level ?? null,
  memberPermissions: command.memberPermissions?.toString() ?? null,
  botPermissions: command.botPermissions?.toString() ?? null,
  cooldownSeconds: command.cooldownSeconds ?? null,
  options: (command.options ?? []).map(optionManifest),
  subcommands: (command.subcommands ?? []).map(commandManifest)
})

/** The catalog's view of a feature definition. */
export const catalogEntryOf = (feature: FeatureDefinition): FeatureCatalogEntry =>
  FeatureCatalogEntry.make({
    key: feature.key,
    name: feature.name,
    description: feature.description,
    requires: feature.requires,
    access: feature.access,
    commands: feature.commands.map(commandManifest),
    configVersion: feature.config.version
  })
