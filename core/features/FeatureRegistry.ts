import { Context, Either, Layer, Schema } from "effect"
import type { CommandDefinition, FeatureDefinition, MemberLevel, SubcommandDefinition } from "./Feature.js"
import { validateFeatures } from "./validateFeatures.js"

/** The registry's definitions break a rule; `problems` lists every one, not just the first. */
export class InvalidFeatureDefinitions
  extends Schema.TaggedError<InvalidFeatureDefinitions>()("InvalidFeatureDefinitions", {
    problems: Schema.Array(Schema.String),
    message: Schema.String
  })
{
  static of(problems: ReadonlyArray<string>) {
    return new InvalidFeatureDefinitions({
      problems,
      message: `Invalid feature definitions:\n- ${problems.join("\n- ")}`
    })
  }
}

/** What an invocable command path requires, with every level's settings merged down to it. */
export interface EffectiveRequirements {
  readonly level: MemberLevel
  /** Bits that satisfy the level requirement on their own; null: none do. */
  readonly memberPermissions: bigint | null
  /** Every bit the command and its (group and) subcommand need the bot to have; 0n: none. */
  readonly botPermissions: bigint
  /** 0: no cooldown. */
  readonly cooldownSeconds: number
  readonly ownerAlwaysAllowed: boolean
}

/** An invocable command path: a command without subcommands, or a subcommand (inside a group or not). */
export interface ResolvedCommand {
  readonly feature: FeatureDefinition
  readonly command: CommandDefinition
  /** e.g. ["xp", "reset"]. */
  readonly path: ReadonlyArray<string>
  /** The path joined with spaces, as rule targets name it ("command:xp reset"). */
  readonly key: string
  /** The subcommand (or the command itself) the path ends at. */
  readonly leaf: CommandDefinition | SubcommandDefinition
  readonly requirements: EffectiveRequirements
  /** Its index in the registry's `commands`: the guardrail's per-guild tables are arrays indexed by it. */
  readonly ordinal: number
}

export interface FeatureRegistryService {
  readonly features: ReadonlyArray<FeatureDefinition>
  readonly feature: (key: string) => FeatureDefinition | undefined
  /** Every invocable command path, in definition order. */
  readonly commands: ReadonlyArray<ResolvedCommand>
  /** The command at `path` (e.g. ["xp", "reset"]); undefined for an unknown or non-invocable path. Allocation-free. */
  readonly resolveCommand: (path: ReadonlyArray<string>) => ResolvedCommand | undefined
}

/** A subcommand overrides what it sets; bot permissions accumulate down the path. */
const mergeRequirements = (
  parent: EffectiveRequirements,
  child: SubcommandDefinition
): EffectiveRequirements => ({
  level: child.level ?? parent.level,
  memberPermissions: child.memberPermissions ?? parent.memberPermissions,
  botPermissions: parent.botPermissions | (child.botPermissions ?? 0n),
  cooldownSeconds: child.cooldownSeconds ?? parent.cooldownSeconds,
  ownerAlwaysAllowed: parent.ownerAlwaysAllowed
})

const commandRequirements = (command: CommandDefinition): EffectiveRequirements => ({
  level: command.level,
  memberPermissions: command.memberPermissions ?? null,
  botPermissions: command.botPermissions ?? 0n,
  cooldownSeconds: command.cooldownSeconds ?? 0,
  ownerAlwaysAllowed: command.ownerAlwaysAllowed ?? false
})

/** Discord invokes only leaves: a command or group with subcommands cannot be run by itself. */
const invocablePaths = (
  feature: FeatureDefinition,
  command: CommandDefinition
): ReadonlyArray<Omit<ResolvedCommand, "ordinal">> => {
  const walk = (
    node: CommandDefinition | SubcommandDefinition,
    path: ReadonlyArray<string>,
    requirements: EffectiveRequirements
  ): ReadonlyArray<Omit<ResolvedCommand, "ordinal">> =>
    node.subcommands && node.subcommands.length > 0
      ? node.subcommands.flatMap((sub) => walk(sub, [...path, sub.name], mergeRequirements(requirements, sub)))
      : [{ feature, command, path, key: path.join(" "), leaf: node, requirements }]
  return walk(command, [command.name], commandRequirements(command))
}

/** One word of a command path: the command it ends (when invocable) and the words that may follow. */
interface PathNode {
  resolved: ResolvedCommand | undefined
  readonly next: Map<string, PathNode>
}

const pathIndex = (commands: ReadonlyArray<ResolvedCommand>): Map<string, PathNode> => {
  const root = new Map<string, PathNode>()
  for (const resolved of commands) {
    let level = root
    let node: PathNode | undefined
    for (const word of resolved.path) {
      node = level.get(word)
      if (node === undefined) level.set(word, node = { resolved: undefined, next: new Map() })
      level = node.next
    }
    node!.resolved = resolved
  }
  return root
}

const build = (definitions: ReadonlyArray<FeatureDefinition>): FeatureRegistryService => {
  const features = new Map(definitions.map((feature) => [feature.key, feature]))
  const commands: ReadonlyArray<ResolvedCommand> = definitions
    .flatMap((feature) => feature.commands.flatMap((command) => invocablePaths(feature, command)))
    .map((resolved, ordinal) => ({ ...resolved, ordinal }))
  const root = pathIndex(commands)
  return {
    features: definitions,
    feature: (key) => features.get(key),
    commands,
    // The guardrail calls this on every command: one Map lookup per word, no allocation.
    resolveCommand: (path) => {
      let level = root
      let node: PathNode | undefined
      for (let i = 0; i < path.length; i++) {
        node = level.get(path[i]!)
        if (node === undefined) return undefined
        level = node.next
      }
      return node?.resolved
    }
  }
}

export class FeatureRegistry extends Context.Tag("core/FeatureRegistry")<FeatureRegistry, FeatureRegistryService>() {
  /**
   * Validates `definitions` (see validateFeatures) and indexes them. An
   * Either, so it runs synchronously at startup and also yields in an Effect.
   */
  static make(
    definitions: ReadonlyArray<FeatureDefinition>
  ): Either.Either<FeatureRegistryService, InvalidFeatureDefinitions> {
    const problems = validateFeatures(definitions)
    return problems.length === 0
      ? Either.right(build(definitions))
      : Either.left(InvalidFeatureDefinitions.of(problems))
  }

  static readonly layer = (definitions: ReadonlyArray<FeatureDefinition>) =>
    Layer.effect(FeatureRegistry, FeatureRegistry.make(definitions))
}
