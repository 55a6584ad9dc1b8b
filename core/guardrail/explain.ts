import type { FeatureRegistryService, ResolvedCommand } from "../features/FeatureRegistry.js"
import { permissionNames } from "../features/Permissions.js"
import { decideByPrecedence, decidingRule, matchingRule } from "../rbac/precedence.js"
import type { Rule } from "../rbac/Rule.js"
import { withArticle } from "../withArticle.js"
import type { CommandContext } from "./CommandContext.js"
import type { Decision, Deny, Stage, StageVerdict } from "./Decision.js"
import type { PolicySnapshot } from "./PolicySnapshot.js"
import {
  belowLevel,
  entitlementStage,
  levelStage,
  memberLevel,
  ownerLockoutGuard,
  platformStage,
  ruleDenied,
  toggleStage
} from "./stages.js"

/** Every stage's verdict for one context, and what the guardrail decides for it. */
export interface Explanation {
  readonly decision: Decision
  /** The stages in order, platform → quota. */
  readonly stages: ReadonlyArray<StageVerdict>
  /** The stage whose denial decided, or null when allowed by stages 1–5. */
  readonly stoppedAt: Stage | null
  /** The rule that decided stage 4, if any. */
  readonly rule: Rule | null
}

const stageOrder: ReadonlyArray<Stage> = ["platform", "entitlement", "toggle", "rules", "level", "quota"]

const describeDeny = (denied: Deny) => `${denied.code}: ${denied.message}. ${denied.remediation}`

const describeRule = (rule: Rule) =>
  `${rule.scope} rule ${rule.id}: ${rule.effect} ${rule.target} for ${rule.subject} ${rule.subjectId}`

const quotaDetail = (resolved: ResolvedCommand, snapshot: PolicySnapshot) => {
  const perMinute = snapshot.entitlements.limits.commandsPerMinute
  const cooldown = resolved.requirements.cooldownSeconds
  return `Checked when the command runs (explain consumes nothing): ${
    perMinute < 0 ? "unlimited" : perMinute
  } commands per minute in this server` + (cooldown ? `, and ${withArticle(`${cooldown}s`)} cooldown per member` : "")
}

/** The explanation of a denial that comes before any stage can run (unknown command, guild not installed). */
export const explainBeforeStages = (denied: Deny): Explanation => ({
  decision: denied,
  stages: stageOrder.map(
    (stage): StageVerdict =>
      stage === "platform"
        ? { stage, verdict: "deny", detail: describeDeny(denied) }
        : { stage, verdict: "skip", detail: `Not reached: ${denied.code}` }
  ),
  stoppedAt: "platform",
  rule: null
})

/** The level stage's finding when it passes: why the member may run the command. */
const levelPasses = (resolved: ResolvedCommand, snapshot: PolicySnapshot, ctx: CommandContext): string => {
  const required = resolved.requirements.level
  if (required === "member") return "Everyone may run it (no level required)"
  const level = memberLevel(snapshot, ctx)
  const member = level === "owner" ? "the server owner" : withArticle(level)
  if (!belowLevel(resolved, level)) return `The member is ${member}, which meets ${required}`
  const bits = resolved.requirements.memberPermissions
  const held = bits === null ? "" : permissionNames(bits).join(", ")
  return `The member is ${member}, below ${required}, but holds ${held}, which the command accepts instead`
}

/**
 * Why the guardrail decides what it does, from the precedence chain
 * (core/rbac/precedence.ts, the specification): every stage is evaluated even after a
 * denial, so support sees all that stands in the way. A stage the real run
 * would not reach (after the deciding denial) or skips (the level after a
 * rule decided, or for the owner through the lockout guard) is "skip", with
 * its own finding in the detail. `rule` is the rule that decided, so it is
 * null when the run stopped before the rules stage or the lockout guard passed.
 */
export const explain = (
  registry: Pick<FeatureRegistryService, "commands" | "resolveCommand">,
  snapshot: PolicySnapshot,
  ctx: CommandContext
): Explanation => {
  const decision = decideByPrecedence(registry, snapshot, ctx)
  const resolved = registry.resolveCommand(ctx.commandPath)
  if (resolved === undefined) return explainBeforeStages(decision as Deny)

  const stoppedAt = decision._tag === "Deny" ? decision.stage : null
  const rulesReached = stoppedAt === null || stageOrder.indexOf(stoppedAt) >= stageOrder.indexOf("rules")
  const lockout = ownerLockoutGuard(resolved, snapshot, ctx)
  const matched = decidingRule(snapshot.rules, ctx, resolved.feature.key) ?? null
  const rule = rulesReached && !lockout ? matched : null
  const platform = matchingRule(snapshot.rules, "platform", ctx, resolved.feature.key)
  // ADR 097: a platform allow never decides, so say why it did not when one matched.
  const platformAllowNote = platform?.effect === "allow"
    ? ` (the operator's ${describeRule(platform)} only lifts the operator's own denies; the tenant's rules decide)`
    : ""
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
      lockout || matched === null || matched.effect === "allow" ? undefined : ruleDenied(resolved, matched),
      lockout
        ? "The server owner always passes this command (lockout guard)"
        : (matched === null
          ? "No rule matched; the built-in level requirement applies"
          : `Allowed by ${describeRule(matched)}; the level requirement is skipped`) + platformAllowNote
    ],
    ["level", levelStage(resolved, snapshot, ctx), levelPasses(resolved, snapshot, ctx)]
  ]

  let reachedEnd = true
  const stages: Array<StageVerdict> = []
  for (const [stage, denied, passing] of findings) {
    const finding = denied === undefined
      ? passing
      : describeDeny(denied) + (stage === "rules" ? platformAllowNote : "")
    const skipsLevel = stage === "level" && (lockout || matched !== null)
    if (!reachedEnd || skipsLevel) {
      const why = !reachedEnd
        ? `stopped at ${stoppedAt}`
        : lockout
        ? "the lockout guard passed the owner"
        : "a rule decided"
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
