import type { HttpApi, HttpApiBuilder, HttpApiGroup } from "@effect/platform"
import type { Api } from "./Api.js"

type ApiError = typeof Api extends HttpApi.HttpApi<string, infer _G, infer E, infer _R> ? E : never
type ApiContext = typeof Api extends HttpApi.HttpApi<string, infer _G, infer _E, infer R> ? R : never

/**
 * The handlers a group's build function receives from `HttpApiBuilder.group`.
 * A group served twice (under /guilds and its /assets alias, GuildPaths) is
 * one declaration under two names, so one build function typed with this
 * fits both.
 */
export type ServedGroup<Group extends HttpApiGroup.HttpApiGroup.Any> = HttpApiBuilder.Handlers.FromGroup<
  ApiError,
  ApiContext,
  Group
>
