import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import {
  GuildId,
  GuildNotFound,
  InvalidInput,
  Rule,
  RuleId,
  RuleInput,
  RuleNotFound,
  RuleScope,
  TenantNotFound
} from "../../../core/index.js"
import { Authentication } from "../Auth.js"
import { PayloadTooLarge } from "../PayloadTooLarge.js"
import { OperatorOnly } from "../Tenants/OperatorOnly.js"

const GuildPath = Schema.Struct({ guildId: GuildId })

/** A stored rule as the API shows it. */
export const RuleView = Schema.Struct(Rule.fields).annotations({ identifier: "Rule" })

const ScopeField = Schema.optional(RuleScope).annotations({
  description:
    "tenant (the default): the guild's admins' rules; platform: the operator's (operator keys only): a platform " +
    "deny decides before any tenant rule; a platform allow only lifts the operator's own denies, never a tenant's"
})

export const ReplaceRules = Schema.Struct({
  rules: Schema.Array(RuleInput.annotations({ identifier: "RuleInput" })),
  scope: ScopeField
}).annotations({ identifier: "ReplaceRules" })

export class RulesApi extends HttpApiGroup.make("rules")
  .add(
    HttpApiEndpoint.get("list", "/assets/:guildId/rules")
      .setPath(GuildPath)
      .addSuccess(Schema.Array(RuleView))
      .addError(GuildNotFound, { status: 404 })
      .addError(TenantNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "List a guild's rules")
      .annotate(OpenApi.Description, "The guild's RBAC rules of both scopes (platform rules are checked first).")
  )
  .add(
    HttpApiEndpoint.put("replace", "/assets/:guildId/rules")
      .setPath(GuildPath)
      .setPayload(ReplaceRules)
      .addSuccess(Schema.Array(RuleView))
      .addError(InvalidInput, { status: 400 })
      .addError(OperatorOnly)
      .addError(GuildNotFound, { status: 404 })
      .addError(TenantNotFound, { status: 404 })
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Replace a guild's rules of one scope")
      .annotate(
        OpenApi.Description,
        "Replaces every rule of the scope with `rules` (the other scope's rules stay) and answers the stored set. " +
          "Targets must name an existing feature, command or subcommand (400 otherwise)."
      )
  )
  .add(
    HttpApiEndpoint.del("clear", "/assets/:guildId/rules")
      .setPath(GuildPath)
      .setUrlParams(Schema.Struct({ scope: ScopeField }))
      .addSuccess(Schema.Array(RuleView))
      .addError(OperatorOnly)
      .addError(GuildNotFound, { status: 404 })
      .addError(TenantNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "Clear a guild's rules of one scope")
      .annotate(
        OpenApi.Description,
        "Removes every rule of the caller's scope (a tenant key: tenant; the operator: `?scope=`, tenant by default) " +
          "and answers the rules that remain."
      )
  )
  .add(
    HttpApiEndpoint.del("remove", "/assets/:guildId/rules/:ruleId")
      .setPath(Schema.Struct({ guildId: GuildId, ruleId: RuleId }))
      .addSuccess(RuleView)
      .addError(RuleNotFound, { status: 404 })
      .addError(GuildNotFound, { status: 404 })
      .addError(TenantNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "Remove one rule")
      .annotate(OpenApi.Description, "Answers the removed rule. A tenant key cannot remove platform rules (404).")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "RBAC rules: who may run which commands in a guild")
{}
