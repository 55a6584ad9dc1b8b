import { Context, type Effect, type Option } from "effect"
import type { InvalidInput } from "../errors.js"
import type { GuildId, TenantId } from "../ids.js"
import type { Rule, RuleId, RuleScope } from "../rbac/Rule.js"
import type { GuildNotFound } from "../tenancy/errors.js"

/**
 * A guild's RBAC rules. A rule is identified by its id within its tenant's
 * guild. Every write bumps the guild's policy version and announces the
 * change in the same transaction; a refused write changes and announces nothing.
 */
export interface RuleRepoService {
  /** The guild's rules, platform scope first, then by id; empty for a guild the tenant does not have. */
  readonly list: (tenantId: TenantId, guildId: GuildId) => Effect.Effect<ReadonlyArray<Rule>>
  /** Inserts or replaces the rule with this id in `rule.tenantId`'s guild `rule.guildId`. */
  readonly put: (rule: Rule) => Effect.Effect<Rule, GuildNotFound>
  /**
   * Replaces every rule of `scope` in the guild with `rules` (a PUT of the rule
   * set); the other scope's rules stay. InvalidInput when a rule names another
   * tenant, guild or scope, or two share an id.
   */
  readonly replaceAll: (
    tenantId: TenantId,
    guildId: GuildId,
    scope: RuleScope,
    rules: ReadonlyArray<Rule>
  ) => Effect.Effect<ReadonlyArray<Rule>, GuildNotFound | InvalidInput>
  /** The removed rule; None (and no version bump) when the guild has no such rule. */
  readonly remove: (tenantId: TenantId, guildId: GuildId, ruleId: RuleId) => Effect.Effect<Option.Option<Rule>>
}

export class RuleRepo extends Context.Tag("core/RuleRepo")<RuleRepo, RuleRepoService>() {}
