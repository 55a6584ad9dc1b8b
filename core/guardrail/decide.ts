import type { MemberLevel } from "../features/Feature.js"
import type { FeatureRegistryService, ResolvedCommand } from "../features/FeatureRegistry.js"
import { matchRuleGroups } from "../rbac/evaluateRules.js"
import type { CommandContext } from "./CommandContext.js"
import { Decision, type Deny } from "./Decision.js"
import { decisionTable, DENIED_BY_ENTITLEMENT, DENIED_BY_PLATFORM, PASSES, ruleDenial } from "./DecisionTable.js"
import type { PolicySnapshot } from "./PolicySnapshot.js"
import { botPermissionStage, levelShortfall, levelTooLow, ownerLockoutGuard, unknownCommand } from "./stages.js"

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
 * it reads only the precomputed snapshot and allocates nothing once warm
 * (what depends only on the snapshot and the command is worked out for every
 * command on the snapshot's first decision, see DecisionTable). Quotas
 * (stage 6) are the Guardrail service's, after this allows.
 */
export const decide = (
  registry: Pick<FeatureRegistryService, "commands" | "resolveCommand">,
  snapshot: PolicySnapshot,
  ctx: CommandContext
): Decision => {
  const resolved = registry.resolveCommand(ctx.commandPath)
  if (resolved === undefined) return unknownCommand(ctx)
  const table = decisionTable(registry, snapshot)
  const words = table.words
  const entry = words[resolved.ordinal]!
  if (entry === DENIED_BY_PLATFORM) return table.denials[resolved.ordinal]!
  const botDenied = botPermissionStage(resolved, ctx)
  if (botDenied !== undefined) return botDenied
  if (entry === DENIED_BY_ENTITLEMENT) return table.denials[resolved.ordinal]!
  if (ownerLockoutGuard(resolved, snapshot, ctx)) return allowedByLevel
  if (entry !== PASSES) {
    const rule = matchRuleGroups(words, entry + 2, words[entry]!, table.rules, words[entry + 1]!, ctx)
    if (rule !== undefined) return rule.effect === "deny" ? ruleDenial(table, resolved, rule) : allowedByRule
  }
  const shortfall = levelShortfall(resolved, snapshot, ctx)
  return shortfall === undefined ? allowedByLevel : levelDenial(resolved, shortfall)
}
