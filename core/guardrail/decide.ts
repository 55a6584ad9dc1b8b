import type { FeatureRegistryService } from "../features/FeatureRegistry.js"
import { evaluateRules } from "../rbac/evaluateRules.js"
import type { CommandContext } from "./CommandContext.js"
import { Decision } from "./Decision.js"
import type { PolicySnapshot } from "./PolicySnapshot.js"
import {
  entitlementStage,
  levelStage,
  ownerLockoutGuard,
  platformStage,
  ruleDenied,
  toggleStage,
  unknownCommand
} from "./stages.js"

// Shared results: an allowed decision allocates nothing.
const allowedByLevel = Decision.Allow({ ruleAllowed: false })
const allowedByRule = Decision.Allow({ ruleAllowed: true })

/**
 * Stages 1–5 of the guardrail (platform, entitlement, toggle, rules, level),
 * first denial stops. Pure and synchronous: it runs before every command, so
 * it reads only the precomputed snapshot. Quotas (stage 6) are the Guardrail
 * service's, after this allows.
 */
export const decide = (
  registry: Pick<FeatureRegistryService, "resolveCommand">,
  snapshot: PolicySnapshot,
  ctx: CommandContext
): Decision => {
  const resolved = registry.resolveCommand(ctx.commandPath)
  if (resolved === undefined) return unknownCommand(ctx)
  const denied = platformStage(resolved, snapshot, ctx) ?? entitlementStage(resolved, snapshot) ??
    toggleStage(resolved, snapshot)
  if (denied !== undefined) return denied
  if (ownerLockoutGuard(resolved, snapshot, ctx)) return allowedByLevel
  const rule = evaluateRules(snapshot.rules, ctx, resolved.feature.key)
  if (rule !== undefined) return rule.effect === "deny" ? ruleDenied(resolved, rule) : allowedByRule
  return levelStage(resolved, snapshot, ctx) ?? allowedByLevel
}
