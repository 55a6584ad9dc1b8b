import type { FeatureRegistryService, ResolvedCommand } from "../features/FeatureRegistry.js"
import type { CommandContext } from "../guardrail/CommandContext.js"
import { Decision, type Stage } from "../guardrail/Decision.js"
import type { PolicySnapshot } from "../guardrail/PolicySnapshot.js"
import {
  entitlementStage,
  levelStage,
  ownerLockoutGuard,
  platformStage,
  ruleDenied,
  toggleStage,
  unknownCommand
} from "../guardrail/stages.js"
import type { Rule, RuleScope, RuleSubject } from "./Rule.js"
import type { RuleInvocation } from "./RuleInvocation.js"

/**
 * THE precedence of the guardrail, stated once as one chain, in the shape of
 * Red-DiscordBot's `Requires` (bot checks → owner → rules by user, channel,
 * category, roles, guild → the default): each link either decides or passes
 * the command on to the next. This is the specification. `explain` reports
 * from it and the property tests check the fast engine
 * (core/guardrail/internal/, ADR 102) against it on generated guilds, so it
 * is written to be read, not to be fast: plain loops over the guild's rules.
 * ADR 030 and ADR 097 give the reasons for each link.
 */

/** What a link looks at: the command being run, the guild's policy and the invocation. */
export interface Question {
  readonly resolved: ResolvedCommand
  readonly snapshot: PolicySnapshot
  readonly ctx: CommandContext
}

/** One link of the chain: which stage it belongs to, who or what decides there, and how. */
export interface Link {
  readonly stage: Stage
  readonly who: string
  /** The decision, or undefined to pass the command on to the next link. */
  readonly decide: (question: Question) => Decision | undefined
}

/** Rule targets, most specific first: the command path longest first, then its feature, then `*`. */
export const targetsOf = (path: ReadonlyArray<string>, featureKey: string): ReadonlyArray<string> => [
  ...path.map((_, i) => `command:${path.slice(0, path.length - i).join(" ")}`),
  `feature:${featureKey}`,
  "*"
]

/**
 * Rule subjects, first match wins, as ranks: the user → the channel (a thread
 * itself) → a thread's parent → the category → the member's roles from the
 * highest position down (roles at one position share a rank) → the guild.
 */
export const subjectsOf = (
  inv: RuleInvocation
): ReadonlyArray<ReadonlyArray<readonly [RuleSubject, string]>> => {
  const positions = [...new Set(inv.memberRoles.map((role) => role.position))].sort((a, b) => b - a)
  return [
    [["user", inv.userId]],
    [["channel", inv.channelId]],
    inv.parentChannelId === null ? [] : [["channel", inv.parentChannelId]],
    inv.categoryId === null ? [] : [["category", inv.categoryId]],
    ...positions.map((position) =>
      inv.memberRoles.filter((role) => role.position === position).map((role) => ["role", role.id] as const)
    ),
    [["guild", inv.guildId]]
  ]
}

/**
 * The rule of `scope` that matches: the first target with any matching rule
 * decides (a broader target is never consulted after it), within it the
 * first rank of subjects with a match, and a deny wins a tie.
 */
export const matchingRule = (
  rules: ReadonlyArray<Rule>,
  scope: RuleScope,
  inv: RuleInvocation,
  featureKey: string
): Rule | undefined => {
  for (const target of targetsOf(inv.commandPath, featureKey)) {
    for (const rank of subjectsOf(inv)) {
      const matching = rules.filter((rule) =>
        rule.scope === scope && rule.target === target &&
        rank.some(([subject, id]) => rule.subject === subject && rule.subjectId === id)
      )
      if (matching.length > 0) return matching.find((rule) => rule.effect === "deny") ?? matching[0]
    }
  }
  return undefined
}

/**
 * The rule that decides stage 4, or undefined (the level requirement then
 * applies). The operator can take away, never give: the operator's matching
 * deny decides; an operator's allow, or no operator rule, leaves it to the tenant's rules.
 */
export const decidingRule = (
  rules: ReadonlyArray<Rule>,
  inv: RuleInvocation,
  featureKey: string
): Rule | undefined => {
  const operator = matchingRule(rules, "platform", inv, featureKey)
  return operator?.effect === "deny" ? operator : matchingRule(rules, "tenant", inv, featureKey)
}

const byRule = (rule: Rule | undefined, resolved: ResolvedCommand): Decision | undefined =>
  rule === undefined
    ? undefined
    : rule.effect === "deny"
    ? ruleDenied(resolved, rule)
    : Decision.Allow({ ruleAllowed: true })

/** The chain, first decision wins; a command no link decides is allowed (by its level). */
export const precedence: ReadonlyArray<Link> = [
  {
    stage: "platform",
    who: "the operator's kill switches, the tenant's standing, the bot's own permissions in the channel",
    decide: ({ ctx, resolved, snapshot }) => platformStage(resolved, snapshot, ctx)
  },
  {
    stage: "entitlement",
    who: "the plan with its add-ons and overrides; read-only keeps only reading",
    decide: ({ resolved, snapshot }) => entitlementStage(resolved, snapshot)
  },
  {
    stage: "toggle",
    who: "the guild's feature switch (essential features are always on)",
    decide: ({ resolved, snapshot }) => toggleStage(resolved, snapshot)
  },
  {
    stage: "rules",
    who: "the guild owner, for setup and rule editing, whatever any rule says (the lockout guard)",
    decide: ({ ctx, resolved, snapshot }) =>
      ownerLockoutGuard(resolved, snapshot, ctx) ? Decision.Allow({ ruleAllowed: false }) : undefined
  },
  {
    stage: "rules",
    who: "the operator's rules: a deny decides, an allow only lifts the operator's broader denies",
    decide: ({ ctx, resolved, snapshot }) => {
      const operator = matchingRule(snapshot.rules, "platform", ctx, resolved.feature.key)
      return operator?.effect === "deny" ? byRule(operator, resolved) : undefined
    }
  },
  {
    stage: "rules",
    who: "the tenant's rules: by target, then by user, channel, category, roles, guild",
    decide: ({ ctx, resolved, snapshot }) =>
      byRule(matchingRule(snapshot.rules, "tenant", ctx, resolved.feature.key), resolved)
  },
  {
    stage: "level",
    who: "the command's built-in level (owner > admin > mod > member) or the permission bits it accepts",
    decide: ({ ctx, resolved, snapshot }) => levelStage(resolved, snapshot, ctx)
  }
]

/**
 * Stages 1–5 by the chain: the decision the guardrail makes before quotas
 * (stage 6, which the Guardrail service charges after an allow).
 */
export const decideByPrecedence = (
  registry: Pick<FeatureRegistryService, "commands" | "resolveCommand">,
  snapshot: PolicySnapshot,
  ctx: CommandContext
): Decision => {
  const resolved = registry.resolveCommand(ctx.commandPath)
  if (resolved === undefined) return unknownCommand(registry.commands, ctx)
  for (const link of precedence) {
    const decision = link.decide({ resolved, snapshot, ctx })
    if (decision !== undefined) return decision
  }
  return Decision.Allow({ ruleAllowed: false })
}
