import type { FeatureRegistryService, ResolvedCommand } from "../features/FeatureRegistry.js"
import { evaluateRules } from "../rbac/evaluateRules.js"
import type { Rule } from "../rbac/Rule.js"
import type { CommandContext } from "./CommandContext.js"
import { decide } from "./decide.js"
import type { Decision, Deny, Stage, StageVerdict } from "./Decision.js"
import type { PolicySnapshot } from "./PolicySnapshot.js"
import {
  entitlementStage,
  levelStage,
  memberLevel,
  ownerLockoutGuard,
  platformStage,
  ruleDenied,
  toggleStage
} from "./stages.js"

/** Every stage's verdict for one context, and what `decide` answers for it. */
export interface Explanation {
  readonly decision: Decision
  /** The stages in order, platform → quota. */
  readonly stages: ReadonlyArray<StageVerdict>
  /** The stage whose denial decided, or null when allowed by stages 1–5. */
  readonly stoppedAt: Stage | null
  /** The rule that decided stage 4, if any. */
  readonly rule: Rule | null
}

const describeDeny = (denied: Deny) => `${denied.code}: ${denied.message}. ${denied.remediation}`

const describeRule = (rule: Rule) =>
  `${rule.scope} rule ${rule.id}: ${rule.effect} ${rule.target} for ${rule.subject} ${rule.subjectId}`

const quotaDetail = (resolved: ResolvedCommand, snapshot: PolicySnapshot) => {
  const perMinute = snapshot.entitlements.limits.commandsPerMinute
  const cooldown = resolved.requirements.cooldownSeconds
  return `Checked when the command runs (explain consumes nothing): ${
    perMinute < 0 ? "unlimited" : perMinute
  } commands per minute in this server` + (cooldown ? `, and a ${cooldown}s cooldown per member` : "")
}

/** The explanation of a denial that comes before any stage can run (unknown command, guild not installed). */
export const explainBeforeStages = (denied: Deny): Explanation => ({
  decision: denied,
  stages: (["platform", "entitlement", "toggle", "rules", "level", "quota"] as const).map(
    (stage): StageVerdict =>
      stage === "platform"
        ? { stage, verdict: "deny", detail: describeDeny(denied) }
        : { stage, verdict: "skip", detail: `Not reached: ${denied.code}` }
  ),
  stoppedAt: "platform",
  rule: null
})

/**
 * Why `decide` answers what it does: every stage is evaluated even after a
 * denial, so support sees all that stands in the way. A stage the real run
 * would not reach (after the deciding denial) or skips (the level after a
 * rule allowed, or for the owner through the lockout guard) is "skip", with
 * its own finding in the detail.
 */
export const explain = (
  registry: Pick<FeatureRegistryService, "commands" | "resolveCommand">,
  snapshot: PolicySnapshot,
  ctx: CommandContext
): Explanation => {
  const decision = decide(registry, snapshot, ctx)
  const resolved = registry.resolveCommand(ctx.commandPath)
  if (resolved === undefined) return explainBeforeStages(decision as Deny)

  const lockout = ownerLockoutGuard(resolved, snapshot, ctx)
  const rule = evaluateRules(snapshot.rules, ctx, resolved.feature.key) ?? null
  const findings: ReadonlyArray<readonly [Stage, Deny | undefined, string]> = [
    [
      "platform",
      platformStage(resolved, snapshot, ctx),
      "No kill switch; the tenant is in good standing; the bot has the permissions it needs"
    ],
    [
      "entitlement",
      entitlementStage(resolved, snapshot),
      `The ${snapshot.entitlements.planKey} plan includes ${resolved.feature.key}`
    ],
    ["toggle", toggleStage(resolved, snapshot), `${resolved.feature.key} is enabled in this server`],
    [
      "rules",
      lockout || rule === null || rule.effect === "allow" ? undefined : ruleDenied(resolved, rule),
      lockout
        ? "The server owner always passes this command (lockout guard)"
        : rule === null
        ? "No rule matched; the built-in level requirement applies"
        : `Allowed by ${describeRule(rule)}; the level requirement is skipped`
    ],
    [
      "level",
      levelStage(resolved, snapshot, ctx),
      `The member's level (${memberLevel(snapshot, ctx)}) meets ${resolved.requirements.level}`
    ]
  ]

  const stoppedAt = decision._tag === "Deny" ? decision.stage : null
  let reachedEnd = true
  const stages: Array<StageVerdict> = []
  for (const [stage, denied, passing] of findings) {
    const finding = denied === undefined ? passing : describeDeny(denied)
    const skipsLevel = stage === "level" && (lockout || rule !== null)
    if (!reachedEnd || skipsLevel) {
      const why = skipsLevel
        ? (lockout ? "the lockout guard passed the owner" : "a rule decided")
        : `stopped at ${stoppedAt}`
      stages.push({ stage, verdict: "skip", detail: `Skipped (${why}); on its own: ${finding}` })
    } else {
      stages.push({ stage, verdict: denied === undefined ? "pass" : "deny", detail: finding })
    }
    if (denied !== undefined && stage === stoppedAt) reachedEnd = false
  }
  stages.push({
    stage: "quota",
    verdict: "skip",
    detail: stoppedAt === null
      ? quotaDetail(resolved, snapshot)
      : `Skipped (stopped at ${stoppedAt}); a denial consumes nothing`
  })
  return { decision, stages, stoppedAt, rule }
}
