import { HttpApiBuilder } from "@effect/platform"
import { Layer } from "effect"
import { Api } from "./Api.js"
import { ApiKeysLive } from "./ApiKeys/Http.js"
import { AssetsLive } from "./Assets/Http.js"
import { AuthenticationLive } from "./Auth.js"
import { HealthLive } from "./Health/Http.js"
import { TenantsLive } from "./Tenants/Http.js"

/** The Api with every handler and the authentication middleware. Requires Tenancy, ApiKeys and Readiness. */
export const HttpApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide([HealthLive, TenantsLive, AssetsLive, ApiKeysLive]),
  Layer.provide(AuthenticationLive)
)
