import { HttpApi, type HttpApiGroup, HttpRouter, type OpenApi } from "@effect/platform"
import { Context, Effect, Option } from "effect"
import { Access, defaultRequirement, describeRequirement, type Requirement } from "./Access.js"
import { Authentication } from "./Auth.js"

export interface EndpointAccess {
  readonly group: string
  readonly name: string
  readonly method: string
  readonly path: string
  readonly requirement: Requirement
}

/** Every endpoint of an Api with what it asks of its caller (see Access.ts for the rules). */
export const endpointAccess = (api: HttpApi.HttpApi.Any): ReadonlyArray<EndpointAccess> => {
  const rows: Array<EndpointAccess> = []
  HttpApi.reflect(api as HttpApi.HttpApi<string, HttpApiGroup.HttpApiGroup.AnyWithProps, unknown, unknown>, {
    onGroup: () => {},
    onEndpoint: ({ endpoint, group, mergedAnnotations, middleware }) => {
      const declared = Context.getOption(mergedAnnotations, Access)
      const requirement = ![...middleware].some((tag) => tag === (Authentication as unknown))
        ? Access.public
        : Option.getOrElse(declared, () => defaultRequirement(endpoint.method))
      rows.push({
        group: group.identifier,
        name: endpoint.name,
        method: endpoint.method,
        path: endpoint.path,
        requirement
      })
    }
  })
  return rows
}

const routeKey = (method: string, path: string) => `${method} ${path}`

/** Looks up the requirement of the route serving the current request. */
export const makeRouteRequirement = (api: HttpApi.HttpApi.Any) => {
  let table: Map<string, Requirement> | undefined
  const lookup = (method: string, path: string): Requirement => {
    table ??= new Map(endpointAccess(api).map((row) => [routeKey(row.method, row.path), row.requirement]))
    // A route the table lacks asks the most: the operator. It cannot happen for routes made from the Api.
    return table.get(routeKey(method, path)) ?? Access.operator
  }
  return Effect.map(
    Effect.serviceOption(HttpRouter.RouteContext),
    Option.match({
      onNone: () => Access.operator,
      onSome: (context) => lookup(context.route.method, context.route.path)
    })
  )
}

/** In the OpenAPI document, every operation says who may call it (and carries it as `x-guildhall-access`). */
export const describeAccess =
  (api: HttpApi.HttpApi.Any) => (spec: Record<string, unknown>): Record<string, unknown> => {
    const paths = (spec as unknown as OpenApi.OpenAPISpec).paths
    for (const row of endpointAccess(api)) {
      const operation = paths[row.path.replace(/:(\w+)/g, "{$1}")]?.[
        row.method.toLowerCase() as "get"
      ] as (OpenApi.OpenAPISpecOperation & { "x-guildhall-access"?: string }) | undefined
      if (operation === undefined) continue
      const requirement = row.requirement
      operation["x-guildhall-access"] = requirement._tag === "Level" ? requirement.level : requirement._tag
      operation.description = `${operation.description === undefined ? "" : `${operation.description}\n\n`}` +
        `**Who may call:** ${describeRequirement(requirement)}`
    }
    return spec
  }
