import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { GuildConfigLayer, PlanKey, Tenant, TenantId, TenantModeInput, TenantName } from "../../../core/index.js"
import { Access } from "../Access.js"
import { Authentication } from "../Auth.js"
import { InvalidInput, OperatorOnly, PayloadTooLarge, TenantNotFound, UnknownPlan } from "../shared/Errors.js"
import { GuildView } from "../shared/Views.js"

export const CreateTenant = Schema.Struct({
  name: TenantName,
  mode: Schema.optional(TenantModeInput).annotations({
    description: "hosted (the default) or self_host; self-host is accepted too"
  }),
  planKey: Schema.optional(PlanKey).annotations({ description: "Defaults to the free plan" }),
  guildDefaults: Schema.optional(GuildConfigLayer).annotations({
    description: "The tenant-default layer of every guild's settings"
  })
}).annotations({ identifier: "CreateTenant" })

const TenantPath = Schema.Struct({ id: TenantId })

/** The tenant's guilds; also served, deprecated, at the old /assets path (GuildPaths). */
const listGuilds = <const Name extends string>(name: Name, path: "/:id/guilds" | "/:id/assets") =>
  HttpApiEndpoint.get(name, path)
    .setPath(TenantPath)
    .addSuccess(Schema.Array(GuildView))
    .addError(TenantNotFound)
    .annotate(OpenApi.Summary, "List a tenant's guilds")
    .annotate(
      OpenApi.Description,
      "The tenant's guilds, installed and removed, each with the plan's feature flags and limits and its effective settings."
    )

export class TenantsApi extends HttpApiGroup.make("tenants")
  .add(
    HttpApiEndpoint.post("create", "/")
      .annotate(Access, Access.operator)
      .setPayload(CreateTenant)
      .addSuccess(Tenant, { status: 201 })
      .addError(OperatorOnly)
      .addError(UnknownPlan)
      .addError(InvalidInput)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Create a tenant")
      .annotate(OpenApi.Description, "Operator only. Creates an active tenant on the given plan.")
  )
  .add(
    HttpApiEndpoint.get("get", "/:id")
      .setPath(TenantPath)
      .addSuccess(Tenant)
      .addError(TenantNotFound)
      .annotate(OpenApi.Summary, "Get a tenant")
  )
  .add(listGuilds("listGuilds", "/:id/guilds"))
  .add(listGuilds("listAssets", "/:id/assets").annotate(OpenApi.Deprecated, true))
  .prefix("/tenants")
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Tenants: the customers of the platform")
{}
