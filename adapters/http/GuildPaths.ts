/**
 * One word for a guild: its routes live under /guilds/:guildId. `/assets`
 * was the old word; every /guilds route is also served at its /assets path,
 * deprecated, until the next major version (ADR 100). An alias is the same
 * group under another name and the old prefix, so typed clients keep their
 * old names and the handlers are the same code.
 */
import { type HttpApiEndpoint, type HttpApiGroup, OpenApi } from "@effect/platform"

/** The prefix of every route about one guild. */
export const guildPrefix = "/guilds/:guildId"

const oldPrefix = "/assets/:guildId"

/** A group of routes about one guild, declared relative to the guild: served under /guilds/:guildId. */
export const underGuild = <
  Id extends string,
  Endpoints extends HttpApiEndpoint.HttpApiEndpoint.Any,
  E,
  R,
  Top extends boolean
>(
  group: HttpApiGroup.HttpApiGroup<Id, Endpoints, E, R, Top>
) => group.prefix(guildPrefix)

/** The deprecated /assets/:guildId twin of a group `underGuild` serves. */
export const assetsAlias = <
  Id extends string,
  Endpoints extends HttpApiEndpoint.HttpApiEndpoint.Any,
  E,
  R,
  Top extends boolean
>(
  group: HttpApiGroup.HttpApiGroup<Id, Endpoints, E, R, Top>
) =>
  group.prefix(oldPrefix).annotateEndpoints(OpenApi.Deprecated, true).annotate(
    OpenApi.Description,
    "Deprecated: the same routes under /guilds/{guildId}; the /assets paths are removed in the next major version"
  )

/** In the OpenAPI document, each deprecated /assets operation names the path that replaces it. */
export const describeAssetsAliases = (spec: Record<string, unknown>): Record<string, unknown> => {
  for (const [path, operations] of Object.entries((spec as unknown as OpenApi.OpenAPISpec).paths)) {
    if (!path.includes("/assets")) continue
    for (const [method, operation] of Object.entries(operations) as Array<[string, OpenApi.OpenAPISpecOperation]>) {
      if (operation.deprecated !== true) continue
      operation.description = `Deprecated alias of ${method.toUpperCase()} ${path.replace("/assets", "/guilds")}, ` +
        "answering the same; removed in the next major version." +
        (operation.description === undefined ? "" : ` ${operation.description}`)
    }
  }
  return spec
}
