import type { MemberLevel } from "../features/Feature.js"
import type { FeatureRegistryService, ResolvedCommand } from "../features/FeatureRegistry.js"
import { CONFIRM_WORDS, entryDenies, matchRuleGroups } from "../rbac/RuleGroups.js"
import type { CommandContext } from "./CommandContext.js"
import { Decision, type Deny } from "./Decision.js"
import {
  DENIED_BY_ENTITLEMENT,
  DENIED_BY_PLATFORM,
  ensureDecisionTable,
  isOwnerIn,
  memberLevelIn,
  PASSES,
  ruleDenial,
  SLOT
} from "./DecisionTable.js"
import type { PolicySnapshot } from "./PolicySnapshot.js"
import { belowLevel, botPermissionStage, levelTooLow, levelWaived, unknownCommand } from "./stages.js"

// Shared results: an allowed decision allocates nothing.
const allowedByLevel = Decision.Allow({ ruleAllowed: false })
const allowedByRule = Decision.Allow({ ruleAllowed: true })

/** LEVEL_TOO_LOW depends only on the command and the member's level: built once per pair. */
const levelDenials = new WeakMap<ResolvedCommand, Map<MemberLevel, Deny>>()

const levelDenial = (resolved: ResolvedCommand, level: MemberLevel) => {
  let byLevel = levelDenials.get(resolved)
  if (byLevel === undefined) levelDenials.set(resolved, byLevel = new Map())
  let denied = byLevel.get(level)
  if (denied === undefined) byLevel.set(level, denied = levelTooLow(resolved, level))
  return denied
}

/**
 * Stages 1–5 of the guardrail (platform, entitlement, toggle, rules, level),
 * first denial stops. Pure and synchronous: it runs before every command, so
 * it reads only the precomputed snapshot and allocates nothing once warm.
 * What depends only on the snapshot and the command is worked out for every
 * command on the snapshot's first decision and packed into a few cache lines
 * (see DecisionTable.ts): a warm decision reads the snapshot's first line,
 * the command's slot and, when a rule or the level matters, the lines they
 * point to, and a Rule or a Deny only when one decides. Quotas (stage 6) are
 * the Guardrail service's, after this allows.
 */
export const decide = (
  registry: Pick<FeatureRegistryService, "commands" | "resolveCommand">,
  snapshot: PolicySnapshot,
  ctx: CommandContext
): Decision => {
  const resolved = registry.resolveCommand(ctx.commandPath)
  if (resolved === undefined) return unknownCommand(registry.commands, ctx)
  if (snapshot.decisionRegistry !== registry) ensureDecisionTable(registry, snapshot)
  // Only the reference: the table's own fields are read when they decide.
  const table = snapshot.decisionTable!
  const words = snapshot.decisionWords
  const base = snapshot.decisionBase
  const slot = base + resolved.ordinal * SLOT
  const status = words[slot]!
  if (status === DENIED_BY_PLATFORM) return table.denials[resolved.ordinal]!
  const botDenied = botPermissionStage(resolved, ctx)
  if (botDenied !== undefined) return botDenied
  if (status === DENIED_BY_ENTITLEMENT) return table.denials[resolved.ordinal]!
  const levelAt = base + registry.commands.length * SLOT
  if (resolved.requirements.ownerAlwaysAllowed && isOwnerIn(words, base, levelAt, table, ctx.userId)) {
    return allowedByLevel
  }
  if (status !== PASSES) {
    const confirm = base + words[slot + 3]!
    const first = words[slot + 2]!
    const at = matchRuleGroups(words, base + status, base + words[slot + 1]!, confirm, first, table, ctx)
    if (at >= 0) {
      return entryDenies(words, at)
        ? ruleDenial(table, resolved, first + (at - confirm) / CONFIRM_WORDS)
        : allowedByRule
    }
  }
  if (levelWaived(resolved, ctx)) return allowedByLevel
  const level = memberLevelIn(words, base, levelAt, table, ctx)
  return belowLevel(resolved, level) ? levelDenial(resolved, level) : allowedByLevel
}
