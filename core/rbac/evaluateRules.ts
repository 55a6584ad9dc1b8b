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
const matchSubjects = (table: SubjectTable, invocation: RuleInvocation): Rule | undefined => {
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
