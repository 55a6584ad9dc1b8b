import type { FeatureRegistryService, ResolvedCommand } from "../features/FeatureRegistry.js"
import { rulesForCommand } from "../rbac/evaluateRules.js"
import type { Rule } from "../rbac/Rule.js"
import type { Deny } from "./Decision.js"
import type { DecisionTable, PolicySnapshot } from "./PolicySnapshot.js"
import { entitlementStage, platformStateStage, ruleDenied, toggleStage } from "./stages.js"

/** `words[ordinal]`: stages 1–3 pass on this snapshot and no rule can apply. */
export const PASSES = 0
/** `words[ordinal]`: a kill switch or the tenant's state stops the command (stage 1, before the bot's permissions). */
export const DENIED_BY_PLATFORM = -1
/** `words[ordinal]`: the plan, read-only or the guild's toggle stops the command (stages 2–3). */
export const DENIED_BY_ENTITLEMENT = -2

const build = (registry: Pick<FeatureRegistryService, "commands">, snapshot: PolicySnapshot): DecisionTable => {
  const commands = registry.commands
  const words: Array<number> = commands.map(() => PASSES)
  const rules: Array<Rule> = []
  const denials: Array<Deny | null> = []
  for (const resolved of commands) {
    const platform = platformStateStage(resolved, snapshot)
    const entitlement = platform === undefined
      ? entitlementStage(resolved, snapshot) ?? toggleStage(resolved, snapshot)
      : undefined
    denials.push(platform ?? entitlement ?? null)
    if (platform !== undefined) words[resolved.ordinal] = DENIED_BY_PLATFORM
    else if (entitlement !== undefined) words[resolved.ordinal] = DENIED_BY_ENTITLEMENT
    else {
      const candidates = rulesForCommand(snapshot.rules, resolved.path, resolved.feature.key)
      if (candidates.rules.length === 0) continue
      const offset = words.length
      words[resolved.ordinal] = offset
      words.push(offset + 2 + candidates.codes.length, rules.length, ...candidates.codes)
      rules.push(...candidates.rules)
    }
  }
  return { registry, words: Int32Array.from(words), rules, denials, ruleDenials: commands.map(() => undefined) }
}

/** The snapshot's table for `registry`, built on the first decision and kept with the snapshot. */
export const decisionTable = (
  registry: Pick<FeatureRegistryService, "commands">,
  snapshot: PolicySnapshot
): DecisionTable => {
  const table = snapshot.decisionTable
  if (table !== undefined && table.registry === registry) return table
  return snapshot.decisionTable = build(registry, snapshot)
}

/** Stage 4's denial by `rule` for `resolved`, built once per pair. */
export const ruleDenial = (table: DecisionTable, resolved: ResolvedCommand, rule: Rule): Deny => {
  const byRule = table.ruleDenials[resolved.ordinal] ??= new Map()
  let denied = byRule.get(rule)
  if (denied === undefined) byRule.set(rule, denied = ruleDenied(resolved, rule))
  return denied
}
