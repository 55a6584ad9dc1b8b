import type { HttpApi, HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Option, type Schema, SchemaAST } from "effect"
import { strictParseOptions } from "../../core/index.js"

/**
 * The schema read strictly, unless it states its own parse options (a query
 * string a third party fills in, say, which may grow parameters we ignore).
 * The options reach every nested struct: Schema passes them down. Annotating
 * drops the identifier (Schema takes it for a new schema); the JSON shape is
 * the same, so keep it, and the OpenAPI document keeps its named component.
 */
const strict = <S extends Schema.Schema.Any>(schema: S): S =>
  Option.isSome(SchemaAST.getParseOptionsAnnotation(schema.ast))
    ? schema
    : schema.annotations({
      parseOptions: strictParseOptions,
      ...Option.match(SchemaAST.getIdentifierAnnotation(schema.ast), {
        onNone: () => ({}),
        onSome: (identifier) => ({ identifier })
      })
    }) as S

const strictEndpoint = (endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps) => {
  let strictOne: HttpApiEndpoint.HttpApiEndpoint.Any = endpoint
  if (Option.isSome(endpoint.payloadSchema)) strictOne = endpoint.setPayload(strict(endpoint.payloadSchema.value))
  if (Option.isSome(endpoint.urlParamsSchema)) {
    // The cast: setUrlParams checks at compile time that the schema encodes to strings, which this one does.
    strictOne = (strictOne as HttpApiEndpoint.HttpApiEndpoint.AnyWithProps).setUrlParams(
      strict(endpoint.urlParamsSchema.value) as never
    )
  }
  return strictOne as HttpApiEndpoint.HttpApiEndpoint.AnyWithProps
}

/**
 * The Api with every endpoint's payload and URL parameters read strictly
 * (ADR 093). Applied once where the Api is assembled, so an endpoint added
 * later cannot forget it. Re-adding an endpoint (or group) under its own
 * name replaces it in place; nothing else about it changes.
 */
export const readStrictly = <A extends HttpApi.HttpApi.Any>(api: A): A => {
  let strictApi = api as unknown as HttpApi.HttpApi.AnyWithProps
  for (const group of Object.values(strictApi.groups) as Array<HttpApiGroup.HttpApiGroup.AnyWithProps>) {
    let strictGroup = group
    for (const endpoint of Object.values(group.endpoints) as Array<HttpApiEndpoint.HttpApiEndpoint.AnyWithProps>) {
      strictGroup = strictGroup.add(strictEndpoint(endpoint)) as HttpApiGroup.HttpApiGroup.AnyWithProps
    }
    strictApi = strictApi.add(strictGroup) as HttpApi.HttpApi.AnyWithProps
  }
  return strictApi as unknown as A
}
