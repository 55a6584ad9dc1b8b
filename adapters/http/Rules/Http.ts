import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { GuildRules, type RuleScope } from "../../../core/index.js"
import { ensureOperator, holderOf, isOperator } from "../Access.js"
import { Api } from "../Api.js"

/** The scope a request writes: tenant unless asked; platform only with an operator key. */
const writableScope = (requested: RuleScope | undefined) => {
  const scope = requested ?? "tenant"
  return scope === "platform" ? Effect.as(ensureOperator("edit platform rules"), scope) : Effect.succeed(scope)
}

export const RulesLive = HttpApiBuilder.group(Api, "rules", (handlers) =>
  Effect.map(GuildRules, (rules) =>
    handlers
      .handle(
        "list",
        ({ path }) => Effect.flatMap(holderOf(path.guildId), (tenantId) => rules.list(tenantId, path.guildId))
      )
      .handle("replace", ({ path, payload }) =>
        Effect.gen(function*() {
          const scope = yield* writableScope(payload.scope)
          const tenantId = yield* holderOf(path.guildId)
          return yield* rules.replace(tenantId, path.guildId, scope, payload.rules)
        }))
      .handle("clear", ({ path, urlParams }) =>
        Effect.gen(function*() {
          const scope = yield* writableScope(urlParams.scope)
          const tenantId = yield* holderOf(path.guildId)
          // An empty set names no target, so InvalidInput here is a bug, not the caller's mistake.
          yield* Effect.catchTag(rules.replace(tenantId, path.guildId, scope, []), "InvalidInput", Effect.die)
          return yield* rules.list(tenantId, path.guildId)
        }))
      .handle("remove", ({ path }) =>
        Effect.gen(function*() {
          const tenantId = yield* holderOf(path.guildId)
          const scopes: ReadonlyArray<RuleScope> = (yield* isOperator) ? ["tenant", "platform"] : ["tenant"]
          return yield* rules.remove(tenantId, path.guildId, path.ruleId, scopes)
        }))))
