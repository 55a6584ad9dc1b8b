import { HttpApi, OpenApi } from "@effect/platform"
import { ApiKeysApi } from "./ApiKeys/Api.js"
import { AssetsApi } from "./Assets/Api.js"
import { HealthApi } from "./Health/Api.js"
import { TenantsApi } from "./Tenants/Api.js"
import { apiVersion } from "./version.js"

/** The Guildhall HTTP API: its contract, shared by the server, typed clients and the OpenAPI document. */
export class Api extends HttpApi.make("guildhall")
  .add(HealthApi)
  .add(TenantsApi)
  .add(AssetsApi)
  .add(ApiKeysApi)
  .annotateContext(OpenApi.annotations({
    title: "Guildhall",
    version: apiVersion,
    description: "Tenants, their Discord guilds and API keys. Every endpoint but /health/* needs " +
      "`Authorization: Bearer <API key>`. Errors are JSON with a `_tag`, a `message` and, when there is " +
      "something to do about them, a `remediation`."
  }))
{}
