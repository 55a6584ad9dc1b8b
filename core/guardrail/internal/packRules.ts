import { targetsOf } from "../../rbac/precedence.js"
import type { Rule, RuleScope } from "../../rbac/Rule.js"
import type { RuleInvocation } from "../../rbac/RuleInvocation.js"
import {
  CONFIRM_WORDS,
  emptyPackedGroups,
  matchRuleGroups,
  type PackedGroups,
  packGroup,
  PLATFORM,
  subjectOrder
} from "./RuleGroups.js"

/**
 * A guild's rules by scope and target, then by subject kind and id. Kinds
 * stay apart because ids can coincide across kinds (the @everyone role's id
 * is the guild's id). Two rules for the same target and subject: the deny is
 * kept (core/rbac/precedence.ts, a deny wins a tie).
 */
export type RuleIndex = ReadonlyMap<string, ReadonlyMap<Rule["subject"], ReadonlyMap<string, Rule>>>

const indexKey = (scope: RuleScope, target: string) => `${scope} ${target}`

/** Indexes a guild's rules once per compiled policy, so packing a command's rules is a few lookups. */
export const indexRules = (rules: ReadonlyArray<Rule>): RuleIndex => {
  const index = new Map<string, Map<Rule["subject"], Map<string, Rule>>>()
  for (const rule of rules) {
    const key = indexKey(rule.scope, rule.target)
    const bySubject = index.get(key) ?? index.set(key, new Map()).get(key)!
    const byId = bySubject.get(rule.subject) ?? bySubject.set(rule.subject, new Map()).get(rule.subject)!
    const existing = byId.get(rule.subjectId)
    if (existing === undefined || (existing.effect === "allow" && rule.effect === "deny")) {
      byId.set(rule.subjectId, rule)
    }
  }
  return index
}

/** Every rule the precedence could pick for one command, packed as rule groups (see RuleGroups.ts). */
export interface CommandRules {
  /** The groups, `words[0]` up to `words[end]`, then their entries' confirm words. */
  readonly words: Int32Array
  readonly end: number
  readonly ids: ReadonlyArray<string>
  readonly rules: ReadonlyArray<Rule>
}

/**
 * Appends, as rule groups, the rules the precedence could pick for a command
 * at `path` of feature `featureKey`, in the order it consults them: platform
 * (its groups' codes flagged PLATFORM) before tenant; per scope the targets
 * most specific first (`targetsOf`); per target the subject kinds in
 * `subjectOrder`. It depends only on the rules and the command, so the engine
 * packs it once per compiled policy and command, and `matchRuleGroups` over it
 * answers what `decidingRule` answers. Nothing appended: no rule can apply.
 */
export const packCommandRules = (
  packed: PackedGroups,
  index: RuleIndex,
  path: ReadonlyArray<string>,
  featureKey: string
): void => {
  const targets = targetsOf(path, featureKey)
  for (const [scope, flag] of [["platform", PLATFORM], ["tenant", 0]] as const) {
    for (const target of targets) {
      const bySubject = index.get(indexKey(scope, target))
      if (bySubject === undefined) continue
      subjectOrder.forEach((subject, code) => {
        const byId = bySubject.get(subject)
        if (byId !== undefined) packGroup(packed, code | flag, byId)
      })
    }
  }
}

/** `packCommandRules` on its own: the command's groups, then their confirm words, in one array. */
export const rulesForCommand = (
  rules: ReadonlyArray<Rule>,
  path: ReadonlyArray<string>,
  featureKey: string
): CommandRules => {
  const packed = emptyPackedGroups()
  packCommandRules(packed, indexRules(rules), path, featureKey)
  return {
    words: Int32Array.from([...packed.words, ...packed.confirm]),
    end: packed.words.length,
    ids: packed.ids,
    rules: packed.rules as Array<Rule>
  }
}

/** The first match over `rulesForCommand`'s groups: the rule the precedence picks for that command. */
export const matchRules = (command: CommandRules, invocation: RuleInvocation): Rule | undefined => {
  const at = matchRuleGroups(command.words, 0, command.end, command.end, 0, command, invocation)
  return at < 0 ? undefined : command.rules[(at - command.end) / CONFIRM_WORDS]
}
