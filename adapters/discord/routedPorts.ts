import { PermissionFlagsBits, type REST, Routes } from "discord.js"
import { Effect, Layer, Option, Schema } from "effect"
import {
  DiscordCommands,
  DiscordCommandsError,
  DiscordGuilds,
  DiscordMessageError,
  DiscordMessages,
  DiscordRoleError,
  DiscordRoles,
  type GuildId,
  type GuildRoleView,
  manageability,
  type RoleChange,
  RoleId
} from "../../core/index.js"
import { DiscordClients } from "./DiscordClients.js"
import { makeDiscordCommandsRest } from "./DiscordCommandsRest.js"
import { makeDiscordMessagesRest } from "./DiscordMessagesRest.js"
import { makeDiscordRolesRest, toRoleError } from "./DiscordRolesRest.js"

/**
 * The Discord ports over DiscordClients: each call goes out through the REST
 * client of the bot that serves the guild (a tenant's own bot, or the
 * platform's). Without any token every call fails as unavailable, so the job
 * outbox keeps the work until a runner with a token takes it.
 */

/** One service per REST client, built on first use. */
const perRest = <S>(make: (rest: REST) => S) => {
  const built = new WeakMap<REST, S>()
  return (rest: REST): S => {
    let service = built.get(rest)
    if (service === undefined) {
      service = make(rest)
      built.set(rest, service)
    }
    return service
  }
}

const offlineHint =
  "This runner has no Discord connection (DISCORD_TOKEN is not set); the change waits in the job outbox"

/** Discord's role rule checked on the gateway cache first: a request bound to fail is never sent (invalid requests get the IP banned). */
const precheck = (view: GuildRoleView | undefined, change: RoleChange): DiscordRoleError | undefined => {
  if (view === undefined) return undefined
  const problem = manageability(view, change.roleId).problem
  if (problem === null) return undefined
  return DiscordRoleError.of(problem === "unknown_role" ? "unknown_role" : "missing_permissions")
}

export const DiscordRolesRouted = Layer.effect(
  DiscordRoles,
  Effect.gen(function*() {
    const clients = yield* DiscordClients
    const serviceOf = perRest(makeDiscordRolesRest)
    const unavailable = DiscordRoleError.of("unavailable")
    const offline = Effect.fail(
      new DiscordRoleError({
        reason: unavailable.reason,
        message: unavailable.message,
        remediation: offlineHint,
        retryAfterMs: 300_000
      })
    )
    const withRest = <A>(guildId: GuildId, use: (rest: REST) => Effect.Effect<A, DiscordRoleError>) =>
      Option.match(clients.restFor(guildId), { onNone: () => offline, onSome: use })
    const change = (action: "grant" | "revoke") => (roleChange: RoleChange) =>
      Effect.suspend(() => {
        const refused = precheck(clients.roleViewFor(roleChange.guildId), roleChange)
        return refused === undefined
          ? withRest(roleChange.guildId, (rest) => serviceOf(rest)[action](roleChange))
          : Effect.fail(refused)
      })
    return DiscordRoles.of({
      grant: change("grant"),
      revoke: change("revoke"),
      memberRoles: (guildId, userId) => withRest(guildId, (rest) => serviceOf(rest).memberRoles(guildId, userId))
    })
  })
)

export const DiscordMessagesRouted = Layer.effect(
  DiscordMessages,
  Effect.gen(function*() {
    const clients = yield* DiscordClients
    const serviceOf = perRest(makeDiscordMessagesRest)
    return DiscordMessages.of({
      send: (message) =>
        Option.match(clients.restFor(message.guildId), {
          onNone: () => Effect.fail(DiscordMessageError.of("unavailable", 300_000)),
          onSome: (rest) => serviceOf(rest).send(message)
        })
    })
  })
)

export const DiscordCommandsRouted = Layer.effect(
  DiscordCommands,
  Effect.gen(function*() {
    const clients = yield* DiscordClients
    const serviceOf = perRest(makeDiscordCommandsRest)
    return DiscordCommands.of({
      overwriteGuildCommands: (applicationId, guildId, commands) =>
        Option.match(clients.restFor(guildId), {
          onNone: () => Effect.fail(DiscordCommandsError.of("unavailable", 300_000)),
          onSome: (rest) => serviceOf(rest).overwriteGuildCommands(applicationId, guildId, commands)
        })
    })
  })
)

const ApiRole = Schema.Struct({
  id: RoleId,
  name: Schema.String,
  position: Schema.Number,
  permissions: Schema.String,
  managed: Schema.Boolean
})
const ApiRoles = Schema.Array(ApiRole)
const ApiMember = Schema.Struct({ roles: Schema.Array(Schema.String) })
const ApiUser = Schema.Struct({ id: Schema.String })

/** The role view from REST when no gateway client holds the guild: the roles, and the bot's own member. */
const roleViewOverRest = (rest: REST, guildId: GuildId) =>
  Effect.gen(function*() {
    const call = (route: `/${string}`) => Effect.tryPromise({ try: () => rest.get(route), catch: toRoleError })
    const roles = yield* Effect.flatMap(call(Routes.guildRoles(guildId)), Schema.decodeUnknown(ApiRoles))
    const me = yield* Effect.flatMap(call(Routes.user()), Schema.decodeUnknown(ApiUser))
    const member = yield* Effect.flatMap(call(Routes.guildMember(guildId, me.id)), Schema.decodeUnknown(ApiMember))
    const held = roles.filter((role) => member.roles.includes(role.id) || role.id === (guildId as string))
    const permissions = held.reduce((bits, role) => bits | BigInt(role.permissions), 0n)
    return {
      roles: roles.map((role) => ({ id: role.id, name: role.name, position: role.position, managed: role.managed })),
      botPosition: Math.max(0, ...held.map((role) => role.position)),
      botCanManageRoles: (permissions & (PermissionFlagsBits.ManageRoles | PermissionFlagsBits.Administrator)) !== 0n
    } satisfies GuildRoleView
  })

export const DiscordGuildsRouted = Layer.effect(
  DiscordGuilds,
  Effect.gen(function*() {
    const clients = yield* DiscordClients
    return DiscordGuilds.of({
      roleManageability: (guildId, roleIds) =>
        Effect.gen(function*() {
          const cached = clients.roleViewFor(guildId)
          const view = cached !== undefined
            ? cached
            : yield* Option.match(clients.restFor(guildId), {
              onNone: () => Effect.succeed(undefined),
              onSome: (rest) =>
                roleViewOverRest(rest, guildId).pipe(
                  Effect.tapError((error) => Effect.logWarning("discord: could not read the guild's roles", error)),
                  Effect.orElseSucceed(() => undefined)
                )
            })
          return roleIds.map((roleId) => manageability(view, roleId))
        })
    })
  })
)

/** Every Discord port over DiscordClients (DISCORD_TOKEN, DISCORD_API_BASE, and the gateway clients that register). */
export const DiscordPortsLive = Layer.mergeAll(
  DiscordRolesRouted,
  DiscordMessagesRouted,
  DiscordGuildsRouted,
  DiscordCommandsRouted
).pipe(Layer.provideMerge(DiscordClients.layer))
