import type { CommandContext } from "../CommandContext.js"
import { Decision } from "../Decision.js"
import { belowLevel, botPermissionStage, levelWaived, unknownCommand } from "../stages.js"
import {
  type CompiledPolicy,
  DENIED_BY_ENTITLEMENT,
  DENIED_BY_PLATFORM,
  isOwnerIn,
  memberLevelIn,
  PASSES,
  ruleDenial,
  SLOT
} from "./DecisionTable.js"
import { CONFIRM_WORDS, entryDenies, matchRuleGroups } from "./RuleGroups.js"

// Shared results: an allowed decision allocates nothing.
const allowedByLevel = Decision.Allow({ ruleAllowed: false })
const allowedByRule = Decision.Allow({ ruleAllowed: true })

/**
 * Stages 1–5 of the guardrail (platform, entitlement, toggle, rules, level),
 * first denial stops: the fast engine of core/rbac/precedence.ts, which it
 * must answer alike (the property tests check it). Pure and synchronous: it
 * runs before every command, so it reads only the compiled policy and
 * allocates nothing once warm. What depends only on the snapshot and the
 * command was worked out for every command when the policy was compiled and
 * packed into a few cache lines (see DecisionTable.ts): a decision reads the
 * policy's first line, the command's slot and, when a rule or the level
 * matters, the lines they point to, and a Rule or a Deny only when one
 * decides. Quotas (stage 6) are the Guardrail service's, after this allows.
 */
export const decide = (policy: CompiledPolicy, ctx: CommandContext): Decision => {
  const words = policy.decisionWords
  const base = policy.decisionBase
  const registry = policy.registry
  const resolved = registry.resolveCommand(ctx.commandPath)
  if (resolved === undefined) return unknownCommand(registry.commands, ctx)
  const slot = base + resolved.ordinal * SLOT
  const status = words[slot]!
  if (status === DENIED_BY_PLATFORM) return policy.denials[resolved.ordinal]!
  const botDenied = botPermissionStage(resolved, ctx)
  if (botDenied !== undefined) return botDenied
  if (status === DENIED_BY_ENTITLEMENT) return policy.denials[resolved.ordinal]!
  const levelAt = base + registry.commands.length * SLOT
  if (resolved.requirements.ownerAlwaysAllowed && isOwnerIn(words, base, levelAt, policy, ctx.userId)) {
    return allowedByLevel
  }
  if (status !== PASSES) {
    const confirm = base + words[slot + 3]!
    const first = words[slot + 2]!
    const at = matchRuleGroups(words, base + status, base + words[slot + 1]!, confirm, first, policy, ctx)
    if (at >= 0) {
      return entryDenies(words, at)
        ? ruleDenial(policy, resolved, first + (at - confirm) / CONFIRM_WORDS)
        : allowedByRule
    }
  }
  if (levelWaived(resolved, ctx)) return allowedByLevel
  const level = memberLevelIn(words, base, levelAt, policy, ctx)
  return belowLevel(resolved, level) ? policy.levelDenials[resolved.ordinal]![level] : allowedByLevel
}
