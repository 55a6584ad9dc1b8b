import { Schema } from "effect"
import { GuildId, Snowflake, TenantId } from "../ids.js"

export const RuleId = Schema.UUID.pipe(Schema.brand("RuleId"))
export type RuleId = typeof RuleId.Type

/**
 * What a rule applies to, most general first:
 * - "*": every command;
 * - "feature:<key>": every command of a feature;
 * - "command:<name>[ <group>][ <sub>]": a command, or a subcommand path (space-separated).
 */
export const RuleTarget = Schema.String.pipe(
  Schema.pattern(/^(\*|feature:[a-z0-9_-]{1,32}|command:[-_\p{L}\p{N}]{1,32}( [-_\p{L}\p{N}]{1,32}){0,2})$/u, {
    message: () =>
      "Expected a rule target: '*', 'feature:<key>' or 'command:<name>' with up to two subcommand names, e.g. 'command:xp reset'"
  })
)
export type RuleTarget = typeof RuleTarget.Type

/** Who a rule applies to; checked in this order: user, channel (a thread uses its parent), category, roles by position, guild. */
export const RuleSubject = Schema.Literal("user", "channel", "category", "role", "guild")
export type RuleSubject = typeof RuleSubject.Type

export const RuleScope = Schema.Literal("platform", "tenant")
export type RuleScope = typeof RuleScope.Type

export const RuleEffect = Schema.Literal("allow", "deny")
export type RuleEffect = typeof RuleEffect.Type

export class Rule extends Schema.Class<Rule>("Rule")({
  id: RuleId,
  /** platform rules (the operator's) are checked before tenant rules. */
  scope: RuleScope,
  tenantId: TenantId,
  guildId: GuildId,
  target: RuleTarget,
  subject: RuleSubject,
  /** The user, channel, category or role id; for subject "guild", the guild id. */
  subjectId: Snowflake("The Discord id of the rule's subject"),
  effect: RuleEffect
}) {}
