import type { CommandNode, CompiledRules, CompiledScope, SubjectTable } from "./CompiledRules.js"
import type { Rule } from "./Rule.js"
import {
  CONFIRM_WORDS,
  emptyPackedGroups,
  matchRuleGroups,
  type PackedGroups,
  packGroup,
  PLATFORM,
  subjectOrder
} from "./RuleGroups.js"
import type { RuleInvocation } from "./RuleInvocation.js"

/**
 * Of the member's roles that have a rule here, the highest-positioned one's
 * rule (a deny wins a tie, which Discord's unique positions never produce).
 * A scan instead of a sort keeps the hot path free of allocation.
 */
const matchRoles = (byRole: Map<string, Rule>, roles: RuleInvocation["memberRoles"]): Rule | undefined => {
  let best: Rule | undefined
  let bestPosition = -Infinity
  for (let i = 0; i < roles.length; i++) {
    const role = roles[i]!
    const rule = byRole.get(role.id)
    if (rule === undefined) continue
    if (role.position > bestPosition || (role.position === bestPosition && rule.effect === "deny")) {
      best = rule
      bestPosition = role.position
    }
  }
  return best
}

/** Subjects, first match wins: user → channel (the thread, then its parent) → category → roles by position → guild. */
export const matchSubjects = (table: SubjectTable, invocation: RuleInvocation): Rule | undefined => {
  let rule: Rule | undefined
  if (table.user !== undefined && (rule = table.user.get(invocation.userId)) !== undefined) return rule
  if (table.channel !== undefined) {
    if ((rule = table.channel.get(invocation.channelId)) !== undefined) return rule
    if (invocation.parentChannelId !== null && (rule = table.channel.get(invocation.parentChannelId)) !== undefined) {
      return rule
    }
  }
  if (
    table.category !== undefined && invocation.categoryId !== null &&
    (rule = table.category.get(invocation.categoryId)) !== undefined
  ) return rule
  if (table.role !== undefined && (rule = matchRoles(table.role, invocation.memberRoles)) !== undefined) return rule
  if (table.guild !== undefined) return table.guild.get(invocation.guildId)
  return undefined
}

/** The longest command path with a matching rule decides: recurse to the deepest segment, match on the way back. */
const matchCommand = (
  nodes: Map<string, CommandNode>,
  invocation: RuleInvocation,
  depth: number
): Rule | undefined => {
  const node = nodes.get(invocation.commandPath[depth]!)
  if (node === undefined) return undefined
  if (depth + 1 < invocation.commandPath.length && node.children.size > 0) {
    const deeper = matchCommand(node.children, invocation, depth + 1)
    if (deeper !== undefined) return deeper
  }
  return node.table === undefined ? undefined : matchSubjects(node.table, invocation)
}

/** Targets, most specific first: subcommand path … command, then `feature:<key>`, then `*`. */
const evaluateScope = (scope: CompiledScope, invocation: RuleInvocation, featureKey: string): Rule | undefined => {
  if (scope.size === 0) return undefined
  let rule: Rule | undefined
  if (scope.commands.size > 0 && invocation.commandPath.length > 0) {
    if ((rule = matchCommand(scope.commands, invocation, 0)) !== undefined) return rule
  }
  const feature = scope.features.get(featureKey)
  if (feature !== undefined && (rule = matchSubjects(feature, invocation)) !== undefined) return rule
  return scope.wildcard === undefined ? undefined : matchSubjects(scope.wildcard, invocation)
}

/** The operator's rule that matches this invocation (allow or deny), whether or not it decides. */
export const matchPlatformRule = (
  compiled: CompiledRules,
  invocation: RuleInvocation,
  featureKey: string
): Rule | undefined => evaluateScope(compiled.platform, invocation, featureKey)

/**
 * The rule that decides this invocation, or undefined when none matches (the
 * built-in level requirement then applies). The operator can take away, never
 * give: a matching platform deny decides; a platform allow only lifts the
 * operator's broader denies, and the tenant's rules decide as if no platform
 * rule matched. See docs/ADR/097-platform-scope-precedence.md.
 */
export const evaluateRules = (
  compiled: CompiledRules,
  invocation: RuleInvocation,
  featureKey: string
): Rule | undefined => {
  const platform = evaluateScope(compiled.platform, invocation, featureKey)
  return platform !== undefined && platform.effect === "deny"
    ? platform
    : evaluateScope(compiled.tenant, invocation, featureKey)
}

/** The tables at each prefix of `path` that has one, longest first (the order `matchCommand` checks them in). */
const commandTables = (nodes: Map<string, CommandNode>, path: ReadonlyArray<string>, into: Array<SubjectTable>) => {
  const found: Array<SubjectTable> = []
  let node: CommandNode | undefined
  for (let depth = 0; depth < path.length && (node = nodes.get(path[depth]!)) !== undefined; depth++) {
    if (node.table !== undefined) found.push(node.table)
    nodes = node.children
  }
  for (let i = found.length - 1; i >= 0; i--) into.push(found[i]!)
}

/** Every rule `evaluateRules` could pick for one command, packed as rule groups (see RuleGroups.ts). */
export interface CommandRules {
  /** The groups, `words[0]` up to `words[end]`, then their entries' confirm words. */
  readonly words: Int32Array
  readonly end: number
  readonly ids: ReadonlyArray<string>
  readonly rules: ReadonlyArray<Rule>
}

/** One scope's groups: the command path longest first, then the feature, then `*`; subjects in `matchSubjects` order. */
const packScope = (
  packed: PackedGroups,
  scope: CompiledScope,
  path: ReadonlyArray<string>,
  featureKey: string,
  scopeFlag: number
) => {
  if (scope.size === 0) return
  const tables: Array<SubjectTable> = []
  commandTables(scope.commands, path, tables)
  const feature = scope.features.get(featureKey)
  if (feature !== undefined) tables.push(feature)
  if (scope.wildcard !== undefined) tables.push(scope.wildcard)
  for (const table of tables) {
    subjectOrder.forEach((subject, code) => {
      const bySubject = table[subject]
      if (bySubject !== undefined && bySubject.size > 0) packGroup(packed, code | scopeFlag, bySubject)
    })
  }
}

/**
 * Appends, as rule groups, the rules `evaluateRules` could pick for a command
 * at `path` of feature `featureKey`, in the order it consults them: platform
 * (its groups' codes flagged PLATFORM) before tenant; per scope the
 * command path longest first, then the feature, then `*`; per target, the
 * subject kinds in `matchSubjects` order. It
 * depends only on the compiled rules and the command, so the guardrail packs
 * it once per snapshot and command, and `matchRuleGroups` over it answers
 * what `evaluateRules` answers. Nothing appended: no rule can apply.
 */
export const packCommandRules = (
  packed: PackedGroups,
  compiled: CompiledRules,
  path: ReadonlyArray<string>,
  featureKey: string
): void => {
  packScope(packed, compiled.platform, path, featureKey, PLATFORM)
  packScope(packed, compiled.tenant, path, featureKey, 0)
}

/** `packCommandRules` on its own: the command's groups, then their confirm words, in one array. */
export const rulesForCommand = (
  compiled: CompiledRules,
  path: ReadonlyArray<string>,
  featureKey: string
): CommandRules => {
  const packed = emptyPackedGroups()
  packCommandRules(packed, compiled, path, featureKey)
  return {
    words: Int32Array.from([...packed.words, ...packed.confirm]),
    end: packed.words.length,
    ids: packed.ids,
    rules: packed.rules as Array<Rule>
  }
}

/** The first match over `rulesForCommand`'s groups: the rule `evaluateRules` picks for that command. */
export const matchRules = (command: CommandRules, invocation: RuleInvocation): Rule | undefined => {
  const at = matchRuleGroups(command.words, 0, command.end, command.end, 0, command, invocation)
  return at < 0 ? undefined : command.rules[(at - command.end) / CONFIRM_WORDS]
}
