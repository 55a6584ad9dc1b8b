import { Effect } from "effect"
import { InvalidInput } from "../errors.js"
import type { GuildId, TenantId } from "../ids.js"
import type { Rule, RuleScope } from "./Rule.js"

/**
 * Checks a replacement rule set for one scope of one guild (RuleRepo.replaceAll):
 * every rule belongs to that tenant, guild and scope, and no two share an id.
 */
export const validateRuleSet = (
  tenantId: TenantId,
  guildId: GuildId,
  scope: RuleScope,
  rules: ReadonlyArray<Rule>
): Effect.Effect<void, InvalidInput> => {
  const stray = rules.find((rule) => rule.tenantId !== tenantId || rule.guildId !== guildId || rule.scope !== scope)
  if (stray !== undefined) {
    return Effect.fail(
      new InvalidInput({
        message:
          `Rule ${stray.id} belongs to tenant ${stray.tenantId}, guild ${stray.guildId}, scope ${stray.scope}; ` +
          `every rule of this set must belong to tenant ${tenantId}, guild ${guildId}, scope ${scope}`
      })
    )
  }
  const ids = new Set(rules.map((rule) => rule.id))
  if (ids.size !== rules.length) {
    return Effect.fail(new InvalidInput({ message: "Two rules of the set share an id; every rule needs its own" }))
  }
  return Effect.void
}
