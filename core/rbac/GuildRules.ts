import { Context, Effect, Layer, Option, Schema } from "effect"
import { InvalidInput } from "../errors.js"
import { FeatureRegistry } from "../features/FeatureRegistry.js"
import type { GuildId, TenantId } from "../ids.js"
import { Crypto } from "../ports/Crypto.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import { RuleRepo } from "../ports/RuleRepo.js"
import { GuildNotFound } from "../tenancy/errors.js"
import { Rule, RuleEffect, RuleId, type RuleScope, RuleSubject, RuleTarget } from "./Rule.js"

/** A rule as an admin writes it; the guild, tenant, scope and id come from where it is written. */
export const RuleInput = Schema.Struct({
  target: RuleTarget,
  subject: RuleSubject,
  subjectId: Rule.fields.subjectId,
  effect: RuleEffect
})
export type RuleInput = typeof RuleInput.Type

export class RuleNotFound extends Schema.TaggedError<RuleNotFound>()("RuleNotFound", {
  ruleId: Schema.String,
  message: Schema.String
}) {
  static of(ruleId: string) {
    return new RuleNotFound({ ruleId, message: `No rule with id ${ruleId} in this guild` })
  }
}

/** Editing a guild's RBAC rules, with targets checked against the feature registry. */
export interface GuildRulesService {
  /** The guild's rules, platform and tenant scope; GuildNotFound unless the tenant has the guild. */
  readonly list: (tenantId: TenantId, guildId: GuildId) => Effect.Effect<ReadonlyArray<Rule>, GuildNotFound>
  /** Replaces the guild's rules of one scope (tenant: the guild's admins; platform: the operator). */
  readonly replace: (
    tenantId: TenantId,
    guildId: GuildId,
    scope: RuleScope,
    inputs: ReadonlyArray<RuleInput>
  ) => Effect.Effect<ReadonlyArray<Rule>, InvalidInput | GuildNotFound>
  /** Removes one rule; a rule of a scope outside `scopes` answers RuleNotFound (a tenant cannot remove the operator's). */
  readonly remove: (
    tenantId: TenantId,
    guildId: GuildId,
    ruleId: RuleId,
    scopes: ReadonlyArray<RuleScope>
  ) => Effect.Effect<Rule, RuleNotFound | GuildNotFound>
}

const make = Effect.gen(function*() {
  const rules = yield* RuleRepo
  const guilds = yield* GuildRepo
  const registry = yield* FeatureRegistry
  const crypto = yield* Crypto

  const commandNodes = new Set(
    registry.commands.flatMap((command) => command.path.map((_, i) => command.path.slice(0, i + 1).join(" ")))
  )

  /** A target must name something that exists, or the rule would silently never match. */
  const unknownTarget = (target: string): string | undefined => {
    if (target === "*") return undefined
    if (target.startsWith("feature:")) {
      const key = target.slice("feature:".length)
      return registry.feature(key) ? undefined : `'${target}': no feature '${key}'`
    }
    const path = target.slice("command:".length)
    return commandNodes.has(path) ? undefined : `'${target}': no command or subcommand '/${path}'`
  }

  const requireGuild = (tenantId: TenantId, guildId: GuildId) =>
    Effect.flatMap(
      guilds.find(tenantId, guildId),
      Option.match({ onNone: () => Effect.fail(GuildNotFound.of(guildId)), onSome: () => Effect.void })
    )

  const list = (tenantId: TenantId, guildId: GuildId) =>
    Effect.zipRight(requireGuild(tenantId, guildId), rules.list(tenantId, guildId))

  /** Replaces the guild's rules of one scope (tenant: the guild's admins; platform: the operator). */
  const replace = (tenantId: TenantId, guildId: GuildId, scope: RuleScope, inputs: ReadonlyArray<RuleInput>) =>
    Effect.gen(function*() {
      const problems = inputs.flatMap((input) => unknownTarget(input.target) ?? [])
      if (problems.length > 0) {
        return yield* new InvalidInput({ message: `Unknown rule targets: ${problems.join("; ")}` })
      }
      yield* requireGuild(tenantId, guildId)
      const built = yield* Effect.forEach(
        inputs,
        (input) =>
          Effect.map(crypto.uuid, (id) => Rule.make({ ...input, id: RuleId.make(id), scope, tenantId, guildId }))
      )
      const stored = yield* rules.replaceAll(tenantId, guildId, scope, built)
      yield* Effect.logInfo("rules replaced").pipe(
        Effect.annotateLogs({ tenantId, guildId, scope, count: stored.length })
      )
      return stored
    })

  /** Removes one rule; a tenant cannot remove the operator's platform rules (they answer not found). */
  const remove = (tenantId: TenantId, guildId: GuildId, ruleId: RuleId, scopes: ReadonlyArray<RuleScope>) =>
    Effect.gen(function*() {
      const existing = (yield* list(tenantId, guildId)).find((rule) => rule.id === ruleId)
      if (!existing || !scopes.includes(existing.scope)) return yield* RuleNotFound.of(ruleId)
      yield* rules.remove(tenantId, guildId, ruleId)
      return existing
    })

  return { list, replace, remove } satisfies GuildRulesService
})

export class GuildRules extends Context.Tag("core/GuildRules")<GuildRules, GuildRulesService>() {
  static readonly layer = Layer.effect(GuildRules, make)
}
