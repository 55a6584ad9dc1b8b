import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema, Struct } from "effect"
import { Override, OverrideId, OverrideInput, TenantId } from "../../../core/index.js"
import { Access } from "../Access.js"
import { Authentication } from "../Auth.js"
import {
  GuildNotFound,
  OperatorOnly,
  OverrideNotFound,
  PayloadTooLarge,
  TenantNotFound,
  UnknownPlan
} from "../shared/Errors.js"

/** An override as the API shows it. */
export const OverrideView = Schema.Struct(Override.fields).annotations({ identifier: "Override" })

/** What the operator sends; the tenant is the path's. */
export const GrantOverride = Schema.Struct(Struct.omit(OverrideInput.fields, "tenantId")).annotations({
  identifier: "GrantOverride",
  description: "guildId: one guild (omit for the whole tenant); planKey: a plan in place of the tenant's; " +
    "features: extra plan flags; limits: limits set to these values; expiresAt: when it stops applying (never if omitted)"
})

const TenantPath = Schema.Struct({ id: TenantId })

export class OverridesApi extends HttpApiGroup.make("overrides")
  .annotate(Access, Access.operator)
  .add(
    HttpApiEndpoint.post("grant", "/")
      .setPath(TenantPath)
      .setPayload(GrantOverride)
      .addSuccess(OverrideView, { status: 201 })
      .addError(UnknownPlan)
      .addError(TenantNotFound)
      .addError(GuildNotFound)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Grant an override")
      .annotate(
        OpenApi.Description,
        "Operator only. Grants a tenant (or one of its guilds) a plan by hand, extra feature flags or raised limits, " +
          "with an optional expiry. Takes effect on the guardrail at once."
      )
  )
  .add(
    HttpApiEndpoint.get("list", "/")
      .setPath(TenantPath)
      .addSuccess(Schema.Array(OverrideView))
      .addError(TenantNotFound)
      .annotate(OpenApi.Summary, "List a tenant's overrides")
      .annotate(OpenApi.Description, "Operator only. Every override of the tenant, expired ones included.")
  )
  .add(
    HttpApiEndpoint.del("revoke", "/:overrideId")
      .setPath(Schema.Struct({ id: TenantId, overrideId: OverrideId }))
      .addSuccess(OverrideView)
      .addError(OverrideNotFound)
      .annotate(OpenApi.Summary, "Revoke an override")
      .annotate(OpenApi.Description, "Operator only. Answers the revoked override.")
  )
  .prefix("/tenants/:id/overrides")
  .addError(OperatorOnly)
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Operator overrides of what a tenant's plan grants")
{}
