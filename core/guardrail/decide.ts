import type { MemberLevel } from "../features/Feature.js"
import type { FeatureRegistryService, ResolvedCommand } from "../features/FeatureRegistry.js"
import { evaluateRules } from "../rbac/evaluateRules.js"
import type { Rule } from "../rbac/Rule.js"
import type { CommandContext } from "./CommandContext.js"
import { Decision, type Deny } from "./Decision.js"
import type { PolicySnapshot } from "./PolicySnapshot.js"
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

/** Stages 1 (kill switch, suspension), 2 and 3 depend only on the snapshot and the command: decided once each. */
const earlyDenials = (snapshot: PolicySnapshot, resolved: ResolvedCommand) => {
  let early = snapshot.memo.early.get(resolved)
  if (early === undefined) {
    early = {
      platform: platformStateStage(resolved, snapshot) ?? null,
      entitlementOrToggle: entitlementStage(resolved, snapshot) ?? toggleStage(resolved, snapshot) ?? null
    }
    snapshot.memo.early.set(resolved, early)
  }
  return early
}

const ruleDenial = (snapshot: PolicySnapshot, resolved: ResolvedCommand, rule: Rule) => {
  let byCommand = snapshot.memo.ruleDenials.get(rule)
  if (byCommand === undefined) snapshot.memo.ruleDenials.set(rule, byCommand = new Map())
  let denied = byCommand.get(resolved)
  if (denied === undefined) byCommand.set(resolved, denied = ruleDenied(resolved, rule))
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
 * (denials are memoized per snapshot and command). Quotas (stage 6) are the
 * Guardrail service's, after this allows.
 */
export const decide = (
  registry: Pick<FeatureRegistryService, "resolveCommand">,
  snapshot: PolicySnapshot,
  ctx: CommandContext
): Decision => {
  const resolved = registry.resolveCommand(ctx.commandPath)
  if (resolved === undefined) return unknownCommand(ctx)
  const early = earlyDenials(snapshot, resolved)
  if (early.platform !== null) return early.platform
  const botDenied = botPermissionStage(resolved, ctx)
  if (botDenied !== undefined) return botDenied
  if (early.entitlementOrToggle !== null) return early.entitlementOrToggle
  if (ownerLockoutGuard(resolved, snapshot, ctx)) return allowedByLevel
  const rule = evaluateRules(snapshot.rules, ctx, resolved.feature.key)
  if (rule !== undefined) return rule.effect === "deny" ? ruleDenial(snapshot, resolved, rule) : allowedByRule
  const shortfall = levelShortfall(resolved, snapshot, ctx)
  return shortfall === undefined ? allowedByLevel : levelDenial(resolved, shortfall)
}
