import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { GuildId, RuleId, RuleInput, RuleScope } from "../../../core/index.js"
import { Authentication } from "../Auth.js"
import { assetsAlias, underGuild } from "../GuildPaths.js"
import {
  GuildNotFound,
  InvalidInput,
  OperatorOnly,
  PayloadTooLarge,
  RuleNotFound,
  TenantNotFound
} from "../shared/Errors.js"
import { RuleView } from "../shared/Views.js"

const GuildPath = Schema.Struct({ guildId: GuildId })

const ScopeField = Schema.optional(RuleScope).annotations({
  description:
    "tenant (the default): the guild's admins' rules; platform: the operator's (operator keys only): a platform " +
    "deny decides before any tenant rule; a platform allow only lifts the operator's own denies, never a tenant's"
})

export const ReplaceRules = Schema.Struct({
  rules: Schema.Array(RuleInput.annotations({ identifier: "RuleInput" })),
  scope: ScopeField
}).annotations({ identifier: "ReplaceRules" })

const rulesGroup = <const Name extends string>(name: Name) =>
  HttpApiGroup.make(name)
    .add(
      HttpApiEndpoint.get("list", "/rules")
        .setPath(GuildPath)
        .addSuccess(Schema.Array(RuleView))
        .annotate(OpenApi.Summary, "List a guild's rules")
        .annotate(OpenApi.Description, "The guild's RBAC rules of both scopes (platform rules are checked first).")
    )
    .add(
      HttpApiEndpoint.put("replace", "/rules")
        .setPath(GuildPath)
        .setPayload(ReplaceRules)
        .addSuccess(Schema.Array(RuleView))
        .addError(InvalidInput)
        .addError(OperatorOnly)
        .addError(PayloadTooLarge)
        .annotate(OpenApi.Summary, "Replace a guild's rules of one scope")
        .annotate(
          OpenApi.Description,
          "Replaces every rule of the scope with `rules` (the other scope's rules stay) and answers the stored set. " +
            "Targets must name an existing feature, command or subcommand (400 otherwise)."
        )
    )
    .add(
      HttpApiEndpoint.del("clear", "/rules")
        .setPath(GuildPath)
        .setUrlParams(Schema.Struct({ scope: ScopeField }))
        .addSuccess(Schema.Array(RuleView))
        .addError(OperatorOnly)
        .annotate(OpenApi.Summary, "Clear a guild's rules of one scope")
        .annotate(
          OpenApi.Description,
          "Removes every rule of the caller's scope (a tenant key: tenant; the operator: `?scope=`, tenant by default) " +
            "and answers the rules that remain."
        )
    )
    .add(
      HttpApiEndpoint.del("remove", "/rules/:ruleId")
        .setPath(Schema.Struct({ guildId: GuildId, ruleId: RuleId }))
        .addSuccess(RuleView)
        .addError(RuleNotFound)
        .annotate(OpenApi.Summary, "Remove one rule")
        .annotate(OpenApi.Description, "Answers the removed rule. A tenant key cannot remove platform rules (404).")
    )
    .addError(GuildNotFound)
    .addError(TenantNotFound)
    .middleware(Authentication)

export class RulesApi extends underGuild(rulesGroup("rules"))
  .annotate(OpenApi.Description, "RBAC rules: who may run which commands in a guild")
{}

export class AssetsRulesApi extends assetsAlias(rulesGroup("assetsRules")) {}
