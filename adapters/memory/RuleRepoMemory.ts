import { Effect, Layer, Option } from "effect"
import { GuildNotFound, type Rule, RuleRepo, validateRuleSet } from "../../core/index.js"
import { guildKey, MemoryStore } from "./MemoryStore.js"
import { ruleOrder } from "./ordering.js"
import { bumpGuild, writePolicy, type Written } from "./policyVersions.js"

export const RuleRepoMemory = Layer.effect(
  RuleRepo,
  Effect.map(MemoryStore, (store) => {
    const { tables } = store
    const rulesOf = (key: string) => {
      const rules = tables.rules.get(key) ?? new Map<string, Rule>()
      tables.rules.set(key, rules)
      return rules
    }

    return RuleRepo.of({
      list: (tenantId, guildId) =>
        Effect.sync(() => Array.from(tables.rules.get(guildKey(tenantId, guildId))?.values() ?? []).sort(ruleOrder)),
      put: (rule) =>
        writePolicy(
          store,
          Effect.suspend(() => {
            if (!bumpGuild(tables, rule.tenantId, rule.guildId)) return Effect.fail(GuildNotFound.of(rule.guildId))
            rulesOf(guildKey(rule.tenantId, rule.guildId)).set(rule.id, rule)
            return Effect.succeed([rule, [rule.guildId]] as const)
          })
        ),
      replaceAll: (tenantId, guildId, scope, rules) =>
        writePolicy(
          store,
          Effect.zipRight(
            validateRuleSet(tenantId, guildId, scope, rules),
            Effect.suspend(() => {
              if (!bumpGuild(tables, tenantId, guildId)) return Effect.fail(GuildNotFound.of(guildId))
              const stored = rulesOf(guildKey(tenantId, guildId))
              for (const [id, rule] of stored) if (rule.scope === scope) stored.delete(id)
              for (const rule of rules) stored.set(rule.id, rule)
              return Effect.succeed([[...rules].sort(ruleOrder), [guildId]] as const)
            })
          )
        ),
      remove: (tenantId, guildId, ruleId) =>
        writePolicy(
          store,
          Effect.sync((): Written<Option.Option<Rule>> => {
            const rules = tables.rules.get(guildKey(tenantId, guildId))
            const removed = Option.fromNullable(rules?.get(ruleId))
            if (Option.isNone(removed)) return [removed, []] as const
            rules!.delete(ruleId)
            bumpGuild(tables, tenantId, guildId)
            return [removed, [guildId]] as const
          })
        )
    })
  })
)
