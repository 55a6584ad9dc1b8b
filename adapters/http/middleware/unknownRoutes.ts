import { HttpApiBuilder, type HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Chunk, Effect, Layer, Schema } from "effect"

/** No endpoint has this path. */
export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("RouteNotFound", {
  message: Schema.String
}) {}

/** The path exists, but not with this method; `Allow` lists the methods it has. */
export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()("MethodNotAllowed", {
  message: Schema.String
}) {}

interface KnownRoute {
  readonly method: string
  readonly path: string
}

const segmentsOf = (path: string) => path.split("/").filter((segment) => segment.length > 0)

/** Whether a route's path (`/guilds/:guildId/features`, `/docs/*`) matches a request's path. */
const matches = (routePath: string, requestPath: string) => {
  const route = segmentsOf(routePath)
  const request = segmentsOf(requestPath)
  for (let i = 0; i < route.length; i++) {
    const segment = route[i]!
    if (segment === "*") return true
    if (i >= request.length) return false
    if (!segment.startsWith(":") && segment !== request[i]) return false
  }
  return route.length === request.length
}

const pathOf = (url: string) => {
  try {
    return new URL(url, "http://localhost").pathname
  } catch {
    return url
  }
}

const json = (error: RouteNotFound | MethodNotAllowed, status: number, allow?: ReadonlyArray<string>) =>
  HttpServerResponse.unsafeJson(
    error._tag === "RouteNotFound"
      ? Schema.encodeSync(RouteNotFound)(error)
      : Schema.encodeSync(MethodNotAllowed)(error),
    { status, headers: allow === undefined ? {} : { allow: allow.join(", ") } }
  )

const answer = (request: HttpServerRequest.HttpServerRequest, routes: ReadonlyArray<KnownRoute>) => {
  const path = pathOf(request.url)
  const allow = [...new Set(routes.filter((route) => matches(route.path, path)).map((route) => route.method))]
  return allow.length === 0
    ? json(
      new RouteNotFound({ message: `There is no ${path}: the API's paths are listed at /docs` }),
      404
    )
    : json(
      new MethodNotAllowed({
        message: `${path} does not accept ${request.method}; it accepts ${allow.join(", ")}`
      }),
      405,
      allow
    )
}

/**
 * The router answers an unknown path, or a known path with the wrong method,
 * with an empty 404. Answer JSON instead, `{ _tag, message }`: 404, or 405
 * with `Allow` naming the path's methods. The methods come from the routes
 * the server actually serves (the Api's endpoints and the docs), read once,
 * on the first miss, when every route is in.
 */
export const unknownRoutes = HttpApiBuilder.middleware(
  Effect.map(HttpApiBuilder.Router, (router) => {
    let known: ReadonlyArray<KnownRoute> | undefined
    const knownRoutes = Effect.suspend(() =>
      known !== undefined ? Effect.succeed(known) : Effect.map(router.router, (served) => {
        known = Chunk.toReadonlyArray(served.routes).map((route) => ({ method: route.method, path: route.path }))
        return known
      })
    )
    return (app) =>
      Effect.catchIf(
        // The app's type says it cannot fail; the router does, with RouteNotFound.
        app as unknown as HttpApp.Default<unknown>,
        (error) => typeof error === "object" && error !== null && "_tag" in error && error._tag === "RouteNotFound",
        () => Effect.zipWith(HttpServerRequest.HttpServerRequest, knownRoutes, answer)
      ) as unknown as typeof app
  })
).pipe(Layer.provide(HttpApiBuilder.Router.Live))
