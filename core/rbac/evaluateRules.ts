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

/** The order `matchSubjects` checks a table's subject kinds in. */
const subjectOrder = ["user", "channel", "category", "role", "guild"] as const

/**
 * One rule of a command's flattened rule list (see `rulesForCommand`). The
 * subject and id are copied out of the rule so a miss reads only this object
 * and the id string, not the Rule as well.
 */
export interface RuleProbe {
  readonly subject: Rule["subject"]
  readonly subjectId: string
  readonly rule: Rule
  /** The index after the last probe of the same table and subject kind: a group is matched as one. */
  readonly groupEnd: number
}

/**
 * Every rule `evaluateRules` could pick for a command at `path` of feature
 * `featureKey`, flattened into one list in the order it consults them:
 * platform before tenant; per scope the command path longest first, then the
 * feature, then `*`; per target, the subject kinds in `matchSubjects` order.
 * It depends only on the compiled rules and the command, so the guardrail
 * builds it once per snapshot and command; `matchRules` over it answers what
 * `evaluateRules` answers, reading one short array instead of a chain of Maps
 * (with 10,000 guilds each Map is a cache miss, which is what a decision costs).
 */
export const rulesForCommand = (
  compiled: CompiledRules,
  path: ReadonlyArray<string>,
  featureKey: string
): ReadonlyArray<RuleProbe> => {
  const tables: Array<SubjectTable> = []
  for (const scope of [compiled.platform, compiled.tenant]) {
    if (scope.size === 0) continue
    commandTables(scope.commands, path, tables)
    const feature = scope.features.get(featureKey)
    if (feature !== undefined) tables.push(feature)
    if (scope.wildcard !== undefined) tables.push(scope.wildcard)
  }
  const probes: Array<RuleProbe> = []
  for (const table of tables) {
    for (const subject of subjectOrder) {
      const bySubject = table[subject]
      if (bySubject === undefined || bySubject.size === 0) continue
      const groupEnd = probes.length + bySubject.size
      for (const [subjectId, rule] of bySubject) probes.push({ subject, subjectId, rule, groupEnd })
    }
  }
  return probes
}

/** The probe of `probes[start, end)` whose id is `id`; a table holds one rule per subject id. */
const findId = (probes: ReadonlyArray<RuleProbe>, start: number, end: number, id: string): Rule | undefined => {
  for (let i = start; i < end; i++) if (probes[i]!.subjectId === id) return probes[i]!.rule
  return undefined
}

/** `matchRoles` over one role group: the highest-positioned member role with a rule (a deny wins a tie). */
const findRole = (
  probes: ReadonlyArray<RuleProbe>,
  start: number,
  end: number,
  roles: RuleInvocation["memberRoles"]
): Rule | undefined => {
  let best: Rule | undefined
  let bestPosition = -Infinity
  for (let r = 0; r < roles.length; r++) {
    const role = roles[r]!
    const rule = findId(probes, start, end, role.id)
    if (rule === undefined) continue
    if (role.position > bestPosition || (role.position === bestPosition && rule.effect === "deny")) {
      best = rule
      bestPosition = role.position
    }
  }
  return best
}

/** The first match over a list from `rulesForCommand`: the rule `evaluateRules` picks for that command. */
export const matchRules = (probes: ReadonlyArray<RuleProbe>, invocation: RuleInvocation): Rule | undefined => {
  let rule: Rule | undefined
  for (let start = 0; start < probes.length;) {
    const probe = probes[start]!
    const end = probe.groupEnd
    switch (probe.subject) {
      case "user":
        rule = findId(probes, start, end, invocation.userId)
        break
      case "channel":
        rule = findId(probes, start, end, invocation.channelId)
        if (rule === undefined && invocation.parentChannelId !== null) {
          rule = findId(probes, start, end, invocation.parentChannelId)
        }
        break
      case "category":
        rule = invocation.categoryId === null ? undefined : findId(probes, start, end, invocation.categoryId)
        break
      case "role":
        rule = findRole(probes, start, end, invocation.memberRoles)
        break
      case "guild":
        rule = findId(probes, start, end, invocation.guildId)
        break
    }
    if (rule !== undefined) return rule
    start = end
  }
  return undefined
}
