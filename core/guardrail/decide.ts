import type { MemberLevel } from "../features/Feature.js"
import type { FeatureRegistryService, ResolvedCommand } from "../features/FeatureRegistry.js"
import { matchRules, rulesForCommand } from "../rbac/evaluateRules.js"
import type { Rule } from "../rbac/Rule.js"
import type { CommandContext } from "./CommandContext.js"
import { Decision, type Deny } from "./Decision.js"
import type { CommandPlan, PolicySnapshot } from "./PolicySnapshot.js"
import {
  botPermissionStage,
  entitlementStage,
  levelShortfall,
  levelTooLow,
  ownerLockoutGuard,
  platformStateStage,
  ruleDenied,
  toggleStage,
  unknownCommand
} from "./stages.js"

// Shared results: an allowed decision allocates nothing.
const allowedByLevel = Decision.Allow({ ruleAllowed: false })
const allowedByRule = Decision.Allow({ ruleAllowed: true })

/** Stages 1 (kill switch, suspension), 2 and 3, and which rules can apply, depend only on the snapshot and the command. */
const buildPlan = (snapshot: PolicySnapshot, resolved: ResolvedCommand): CommandPlan => {
  const { codes, rules } = rulesForCommand(snapshot.rules, resolved.path, resolved.feature.key)
  return {
    platform: platformStateStage(resolved, snapshot) ?? null,
    entitlementOrToggle: entitlementStage(resolved, snapshot) ?? toggleStage(resolved, snapshot) ?? null,
    codes,
    rules,
    ruleDenials: new Map()
  }
}

const commandPlan = (snapshot: PolicySnapshot, resolved: ResolvedCommand): CommandPlan => {
  const plans = snapshot.plans
  let plan = plans.get(resolved)
  if (plan === undefined) plans.set(resolved, plan = buildPlan(snapshot, resolved))
  return plan
}

const ruleDenial = (plan: CommandPlan, resolved: ResolvedCommand, rule: Rule) => {
  let denied = plan.ruleDenials.get(rule)
  if (denied === undefined) plan.ruleDenials.set(rule, denied = ruleDenied(resolved, rule))
  return denied
}

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
 * (what depends only on the snapshot and the command is planned once
 * per pair, see CommandPlan). Quotas (stage 6) are the
 * Guardrail service's, after this allows.
 */
export const decide = (
  registry: Pick<FeatureRegistryService, "resolveCommand">,
  snapshot: PolicySnapshot,
  ctx: CommandContext
): Decision => {
  const resolved = registry.resolveCommand(ctx.commandPath)
  if (resolved === undefined) return unknownCommand(ctx)
  const plan = commandPlan(snapshot, resolved)
  if (plan.platform !== null) return plan.platform
  const botDenied = botPermissionStage(resolved, ctx)
  if (botDenied !== undefined) return botDenied
  if (plan.entitlementOrToggle !== null) return plan.entitlementOrToggle
  if (ownerLockoutGuard(resolved, snapshot, ctx)) return allowedByLevel
  if (plan.rules.length > 0) {
    const rule = matchRules(plan, ctx)
    if (rule !== undefined) return rule.effect === "deny" ? ruleDenial(plan, resolved, rule) : allowedByRule
  }
  const shortfall = levelShortfall(resolved, snapshot, ctx)
  return shortfall === undefined ? allowedByLevel : levelDenial(resolved, shortfall)
}
