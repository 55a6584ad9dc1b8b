import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import {
  GuildConfigLayer,
  InvalidInput,
  PlanKey,
  Tenant,
  TenantId,
  TenantModeInput,
  TenantName,
  TenantNotFound,
  UnknownPlan
} from "../../../core/index.js"
import { AssetView } from "../Assets/AssetView.js"
import { Authentication } from "../Auth.js"
import { PayloadTooLarge } from "../PayloadTooLarge.js"
import { OperatorOnly } from "./OperatorOnly.js"

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

export class TenantsApi extends HttpApiGroup.make("tenants")
  .add(
    HttpApiEndpoint.post("create", "/tenants")
      .setPayload(CreateTenant)
      .addSuccess(Tenant, { status: 201 })
      .addError(OperatorOnly)
      .addError(UnknownPlan, { status: 400 })
      .addError(InvalidInput, { status: 400 })
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Create a tenant")
      .annotate(OpenApi.Description, "Operator only. Creates an active tenant on the given plan.")
  )
  .add(
    HttpApiEndpoint.get("get", "/tenants/:id")
      .setPath(TenantPath)
      .addSuccess(Tenant)
      .addError(TenantNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "Get a tenant")
  )
  .add(
    HttpApiEndpoint.get("listAssets", "/tenants/:id/assets")
      .setPath(TenantPath)
      .addSuccess(Schema.Array(AssetView))
      .addError(TenantNotFound, { status: 404 })
      .annotate(OpenApi.Summary, "List a tenant's guilds")
      .annotate(
        OpenApi.Description,
        "The tenant's guilds, installed and removed, each with the plan's feature flags and limits and its effective settings."
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "Tenants: the customers of the platform")
{}
