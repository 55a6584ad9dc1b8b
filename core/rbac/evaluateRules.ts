import type { CommandContext } from "../guardrail/CommandContext.js"
import type { CommandNode, CompiledRules, CompiledScope, SubjectTable } from "./CompiledRules.js"
import type { Rule } from "./Rule.js"

/** What rule evaluation reads of an invocation; a `CommandContext` is one, so the hot path passes it as is. */
export type RuleInvocation = Pick<
  CommandContext,
  "guildId" | "userId" | "channelId" | "parentChannelId" | "categoryId" | "memberRoles" | "commandPath"
>

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

/**
 * The rule that decides this invocation, or undefined when none matches (the
 * built-in level requirement then applies). Platform rules are checked before
 * tenant rules; see docs/ADR/030-rbac-precedence.md for the exact semantics.
 */
export const evaluateRules = (
  compiled: CompiledRules,
  invocation: RuleInvocation,
  featureKey: string
): Rule | undefined =>
  evaluateScope(compiled.platform, invocation, featureKey) ?? evaluateScope(compiled.tenant, invocation, featureKey)

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

/** The order `matchSubjects` checks a table's subject kinds in; a kind's index is its code in `CommandRules`. */
const subjectOrder = ["user", "channel", "category", "role", "guild"] as const
const USER = 0
const CHANNEL = 1
const CATEGORY = 2
const ROLE = 3
const GUILD = 4

/**
 * A small integer from an id's last (up to) six characters and its length.
 * Snowflakes differ mostly in their low digits, so unequal ids almost always
 * differ here: a miss then compares two numbers instead of reading the rule
 * and its id string, each a cache miss of its own with 10,000 guilds. Equal
 * fingerprints are confirmed by comparing the strings, so a collision never
 * changes an answer. 30 bits, so it stays a small integer (no boxed number).
 */
const fingerprint = (id: string): number => {
  let hash = id.length
  for (let i = Math.max(0, id.length - 6); i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) & 0x3fffffff
  return hash
}

/**
 * Every rule `evaluateRules` could pick for one command, flattened in the
 * order it consults them (see `rulesForCommand`), as a group per target and
 * subject kind. Laid out for the cache, not for reading: with 10,000 guilds
 * a decision costs the memory it touches, so the numbers a decision needs to
 * rule out every group sit in one packed array of small integers, and a Rule
 * is read only when its id's fingerprint matches.
 */
export interface CommandRules {
  /** Per group: the subject kind's code (its index in subjectOrder), the group's size, then each rule's id fingerprint. */
  readonly codes: Int32Array
  /** The rules, in the order of their fingerprints in `codes`. */
  readonly rules: ReadonlyArray<Rule>
}

/**
 * The rules `evaluateRules` could pick for a command at `path` of feature
 * `featureKey`, in the order it consults them: platform before tenant; per
 * scope the command path longest first, then the feature, then `*`; per
 * target, the subject kinds in `matchSubjects` order. It depends only on the
 * compiled rules and the command, so the guardrail builds it once per snapshot
 * and command, and `matchRules` over it answers what `evaluateRules` answers.
 * Empty arrays: no rule can apply to this command.
 */
export const rulesForCommand = (
  compiled: CompiledRules,
  path: ReadonlyArray<string>,
  featureKey: string
): CommandRules => {
  const tables: Array<SubjectTable> = []
  for (const scope of [compiled.platform, compiled.tenant]) {
    if (scope.size === 0) continue
    commandTables(scope.commands, path, tables)
    const feature = scope.features.get(featureKey)
    if (feature !== undefined) tables.push(feature)
    if (scope.wildcard !== undefined) tables.push(scope.wildcard)
  }
  const codes: Array<number> = []
  const rules: Array<Rule> = []
  for (const table of tables) {
    subjectOrder.forEach((subject, code) => {
      const bySubject = table[subject]
      if (bySubject === undefined || bySubject.size === 0) return
      codes.push(code, bySubject.size)
      for (const [subjectId, rule] of bySubject) {
        codes.push(fingerprint(subjectId))
        rules.push(rule)
      }
    })
  }
  return { codes: Int32Array.from(codes), rules }
}

/** The rule with id `id` in the group whose fingerprints start at `codes[at]` and rules at `rules[first]`. */
const findId = (
  codes: Int32Array,
  rules: ReadonlyArray<Rule>,
  at: number,
  first: number,
  size: number,
  id: string
): Rule | undefined => {
  const print = fingerprint(id)
  for (let i = 0; i < size; i++) {
    if (codes[at + i] === print) {
      const rule = rules[first + i]!
      if (rule.subjectId === id) return rule
    }
  }
  return undefined
}

/** `matchRoles` over one role group: the highest-positioned member role with a rule (a deny wins a tie). */
const findRole = (
  codes: Int32Array,
  rules: ReadonlyArray<Rule>,
  at: number,
  first: number,
  size: number,
  roles: RuleInvocation["memberRoles"]
): Rule | undefined => {
  let best: Rule | undefined
  let bestPosition = -Infinity
  for (let r = 0; r < roles.length; r++) {
    const role = roles[r]!
    const rule = findId(codes, rules, at, first, size, role.id)
    if (rule === undefined) continue
    if (role.position > bestPosition || (role.position === bestPosition && rule.effect === "deny")) {
      best = rule
      bestPosition = role.position
    }
  }
  return best
}

/**
 * The first match over groups laid out as in `CommandRules.codes`, found at
 * `codes[start]` up to `codes[end]`, whose rules start at `rules[firstRule]`:
 * the guardrail keeps every command's groups of a guild in one array.
 */
export const matchRuleGroups = (
  codes: Int32Array,
  start: number,
  end: number,
  rules: ReadonlyArray<Rule>,
  firstRule: number,
  invocation: RuleInvocation
): Rule | undefined => {
  let rule: Rule | undefined
  // k walks `codes` group by group; first is the index of the group's first rule in `rules`.
  for (let k = start, first = firstRule; k < end;) {
    const size = codes[k + 1]!
    const at = k + 2
    switch (codes[k]) {
      case USER:
        rule = findId(codes, rules, at, first, size, invocation.userId)
        break
      case CHANNEL:
        rule = findId(codes, rules, at, first, size, invocation.channelId)
        if (rule === undefined && invocation.parentChannelId !== null) {
          rule = findId(codes, rules, at, first, size, invocation.parentChannelId)
        }
        break
      case CATEGORY:
        rule = invocation.categoryId === null
          ? undefined
          : findId(codes, rules, at, first, size, invocation.categoryId)
        break
      case ROLE:
        rule = findRole(codes, rules, at, first, size, invocation.memberRoles)
        break
      case GUILD:
        rule = findId(codes, rules, at, first, size, invocation.guildId)
        break
    }
    if (rule !== undefined) return rule
    k = at + size
    first += size
  }
  return undefined
}

/** The first match over `rulesForCommand`'s list: the rule `evaluateRules` picks for that command. */
export const matchRules = (command: CommandRules, invocation: RuleInvocation): Rule | undefined =>
  matchRuleGroups(command.codes, 0, command.codes.length, command.rules, 0, invocation)
