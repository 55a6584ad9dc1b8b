import { HttpApiBuilder } from "@effect/platform"
import { Effect, Layer } from "effect"
import { GuildRules, type RuleScope } from "../../../core/index.js"
import { Api } from "../Api.js"
import { authorizeGuild, ensureOperator, forGuild, isOperator } from "../Policy.js"
import type { ServedGroup } from "../ServedGroup.js"
import type { RulesApi } from "./Api.js"

/** The scope a request writes: tenant unless asked; platform only with an operator key. */
const writableScope = (requested: RuleScope | undefined) => {
  const scope = requested ?? "tenant"
  return scope === "platform" ? Effect.as(ensureOperator("edit platform rules"), scope) : Effect.succeed(scope)
}

const handlers = (group: ServedGroup<typeof RulesApi>) =>
  Effect.map(GuildRules, (rules) =>
    group
      .handle("list", forGuild(({ guildId, tenantId }) => rules.list(tenantId, guildId)))
      // The scope is checked before the guild: a tenant key asking for platform rules is refused as such.
      .handle("replace", ({ path, payload }) =>
        Effect.gen(function*() {
          const scope = yield* writableScope(payload.scope)
          const { guildId, tenantId } = yield* authorizeGuild(path.guildId)
          return yield* rules.replace(tenantId, guildId, scope, payload.rules)
        }))
      .handle("clear", ({ path, urlParams }) =>
        Effect.gen(function*() {
          const scope = yield* writableScope(urlParams.scope)
          const { guildId, tenantId } = yield* authorizeGuild(path.guildId)
          // An empty set names no target, so InvalidInput here is a bug, not the caller's mistake.
          yield* Effect.catchTag(rules.replace(tenantId, guildId, scope, []), "InvalidInput", Effect.die)
          return yield* rules.list(tenantId, guildId)
        }))
      .handle(
        "remove",
        forGuild(({ guildId, tenantId }, { path }) =>
          Effect.flatMap(
            isOperator,
            (operator) => rules.remove(tenantId, guildId, path.ruleId, operator ? ["tenant", "platform"] : ["tenant"])
          )
        )
      ))

export const HttpRulesLive = Layer.merge(
  HttpApiBuilder.group(Api, "rules", handlers),
  HttpApiBuilder.group(Api, "assetsRules", handlers)
)
