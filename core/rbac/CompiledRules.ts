import type { Rule, RuleScope } from "./Rule.js"

/**
 * The rules of one target, by subject kind then subject id. Kinds stay apart
 * because ids can coincide across kinds (the @everyone role's id is the guild's id).
 * A kind without rules is `undefined`, so evaluation skips it without a lookup.
 */
export interface SubjectTable {
  user: Map<string, Rule> | undefined
  channel: Map<string, Rule> | undefined
  category: Map<string, Rule> | undefined
  role: Map<string, Rule> | undefined
  guild: Map<string, Rule> | undefined
}

/** A command name or subcommand segment: its own rules and the rules of the longer paths below it. */
export interface CommandNode {
  table: SubjectTable | undefined
  readonly children: Map<string, CommandNode>
}

/**
 * One scope's rules, shaped so evaluation walks the invoked path segment by
 * segment and never builds a target string: `command:xp reset` lives at
 * commands → "xp" → "reset".
 */
export interface CompiledScope {
  readonly commands: Map<string, CommandNode>
  readonly features: Map<string, SubjectTable>
  wildcard: SubjectTable | undefined
  readonly size: number
}

export interface CompiledRules {
  readonly platform: CompiledScope
  readonly tenant: CompiledScope
}

const emptyTable = (): SubjectTable => ({
  user: undefined,
  channel: undefined,
  category: undefined,
  role: undefined,
  guild: undefined
})

/** Two rules for the same target and subject: deny is final, so a deny wins over an allow. */
const put = (table: SubjectTable, rule: Rule) => {
  const bySubject = table[rule.subject] ?? (table[rule.subject] = new Map())
  const existing = bySubject.get(rule.subjectId)
  if (existing === undefined || (existing.effect === "allow" && rule.effect === "deny")) {
    bySubject.set(rule.subjectId, rule)
  }
}

const tableForTarget = (scope: CompiledScope, target: string): SubjectTable => {
  if (target === "*") return scope.wildcard ?? (scope.wildcard = emptyTable())
  if (target.startsWith("feature:")) {
    const key = target.slice("feature:".length)
    const existing = scope.features.get(key)
    if (existing) return existing
    const table = emptyTable()
    scope.features.set(key, table)
    return table
  }
  let nodes = scope.commands
  let node: CommandNode | undefined
  for (const segment of target.slice("command:".length).split(" ")) {
    node = nodes.get(segment)
    if (!node) {
      node = { table: undefined, children: new Map() }
      nodes.set(segment, node)
    }
    nodes = node.children
  }
  // The target pattern guarantees at least one segment.
  const leaf = node!
  return leaf.table ?? (leaf.table = emptyTable())
}

const compileScope = (rules: ReadonlyArray<Rule>, scope: RuleScope): CompiledScope => {
  const mine = rules.filter((rule) => rule.scope === scope)
  const compiled: CompiledScope = { commands: new Map(), features: new Map(), wildcard: undefined, size: mine.length }
  for (const rule of mine) put(tableForTarget(compiled, rule.target), rule)
  return compiled
}

/** Indexes a guild's rules once per snapshot so that `evaluateRules` is a handful of Map lookups. */
export const compileRules = (rules: ReadonlyArray<Rule>): CompiledRules => ({
  platform: compileScope(rules, "platform"),
  tenant: compileScope(rules, "tenant")
})
