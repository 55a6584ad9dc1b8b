import { HttpApiSecurity, OpenApi } from "@effect/platform"
import { HttpApiMiddleware } from "@effect/platform"
import { Context, Effect, Layer, Schema } from "effect"
import { ApiKeys, type Principal } from "../../core/index.js"
import { Forbidden, InvalidApiKey } from "./shared/Errors.js"

/** The caller of the current request, as established by `Authentication`. */
export class CurrentPrincipal extends Context.Tag("adapters/http/CurrentPrincipal")<CurrentPrincipal, Principal>() {}

const bearer = HttpApiSecurity.bearer.pipe(
  HttpApiSecurity.annotate(
    OpenApi.Description,
    "An API key: `Authorization: Bearer gh_live_...`. Operator keys act on every tenant, tenant keys on their own tenant."
  )
)

/** Every endpoint but health: a bearer API key, checked against the stored key hashes. */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("adapters/http/Authentication", {
  // Forbidden: the caller sees the tenant or guild but its role falls short (Policy.ts); any authenticated route.
  failure: Schema.Union(InvalidApiKey, Forbidden),
  provides: CurrentPrincipal,
  security: { bearer }
}) {}

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(ApiKeys, (apiKeys) => Authentication.of({ bearer: apiKeys.authenticate }))
)
