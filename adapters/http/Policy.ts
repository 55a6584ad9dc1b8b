/**
 * Who may act on what. Handlers reach a tenant's data only through the
 * values made here: an `AuthorizedTenant` or `AuthorizedGuild` exists only
 * once the caller's role there was checked against what the endpoint asks
 * (its `Access` declaration, Access.ts), and nothing outside this module can
 * make one (their brand is a symbol this module does not export). A tenant or
 * guild outside the caller's reach answers exactly like a nonexistent one, so
 * a caller cannot probe which ids exist; one it sees but may not change
 * answers 403.
 */
import { Effect, Option } from "effect"
import {
  type Asset,
  decide,
  type GuildId,
  GuildNotFound,
  InvalidInput,
  isOperatorPrincipal,
  type Level,
  type Role,
  roleOnGuild,
  roleOnTenant,
  Tenancy,
  type TenantId,
  TenantNotFound
} from "../../core/index.js"
import { Api } from "./Api.js"
import { CurrentPrincipal } from "./Auth.js"
import { makeRouteRequirement } from "./RouteAccess.js"
import { Forbidden, OperatorOnly, TenantIdRequired } from "./shared/Errors.js"
import { storedPlanMustExist } from "./storedPlanMustExist.js"

declare const authorized: unique symbol

/** A tenant the caller may act on. */
export interface AuthorizedTenant {
  readonly [authorized]: "tenant"
  readonly tenantId: TenantId
}

/** A guild the caller may act on: its holder's row as `Tenancy.getAsset` answers it (installed or removed). */
export interface AuthorizedGuild {
  readonly [authorized]: "guild"
  readonly tenantId: TenantId
  readonly guildId: GuildId
  readonly asset: Asset
}

const tenantAuthorized = (tenantId: TenantId) => ({ tenantId }) as AuthorizedTenant

/** The level the current route asks on the tenant or guild it reaches (its Access declaration). */
const currentRequirement = makeRouteRequirement(Api)
const currentLevel: Effect.Effect<Level> = Effect.map(
  currentRequirement,
  // Operator-only routes check the operator themselves; reaching a tenant there asks the most.
  (requirement) => requirement._tag === "Level" ? requirement.level : requirement._tag === "Operator" ? "owner" : "read"
)

const levelWords: Record<Level, string> = {
  read: "read access",
  write: "a role that may change things (admin or owner)",
  owner: "the owner role"
}

/** Answers the caller's role on the tenant or guild against the route's level: allowed, 403 or not found. */
const checkRole = <E>(role: Option.Option<Role>, notFound: () => E): Effect.Effect<void, E | Forbidden> =>
  Effect.flatMap(currentLevel, (level): Effect.Effect<void, E | Forbidden> => {
    switch (decide(role, level)) {
      case "allowed":
        return Effect.void
      case "hidden":
        return Effect.fail(notFound())
      case "forbidden": {
        const held = Option.getOrElse(role, () => "none")
        return Effect.fail(
          new Forbidden({
            role: held,
            needs: level,
            message: `This needs ${levelWords[level]}; your role here is ${held}. Ask the tenant's owner for a role ` +
              `that allows it${held === "viewer" ? " (or use a read-write key)" : ""}.`
          })
        )
      }
    }
  })

/** Whether the caller is an operator (an operator key, or a person named operator). */
export const isOperator: Effect.Effect<boolean, never, CurrentPrincipal> = Effect.map(
  CurrentPrincipal,
  isOperatorPrincipal
)

/** Fails with OperatorOnly (403) unless the caller is an operator. */
export const ensureOperator = (action: string) =>
  Effect.flatMap(
    CurrentPrincipal,
    (principal) =>
      isOperatorPrincipal(principal)
        ? Effect.void
        : Effect.fail(OperatorOnly.of(action, principal._tag === "User" ? "person" : "key"))
  )

/** The tenant named in a path, if the caller's role there reaches the route's level. */
export const authorizeTenant = (
  tenantId: TenantId
): Effect.Effect<AuthorizedTenant, TenantNotFound | Forbidden, CurrentPrincipal> =>
  Effect.flatMap(CurrentPrincipal, (principal) =>
    Effect.as(
      checkRole(roleOnTenant(principal, tenantId), () => TenantNotFound.of(tenantId)),
      tenantAuthorized(tenantId)
    ))

/** The tenant named in a path of an operator-only action: any tenant, for an operator only. */
export const authorizeOperatorOn = (tenantId: TenantId, action: string) =>
  Effect.as(ensureOperator(action), tenantAuthorized(tenantId))

/**
 * The guild, checked: the caller's role on the tenant that has (or had) it, or
 * for a person Discord's own rule (guild admin). A tenant key sees its own
 * tenant's record of the guild even after another tenant installed it; anyone
 * else the tenant that has (or last had) it. A guild outside the caller's
 * reach answers GuildNotFound like a nonexistent one.
 */
export const authorizeGuild = (guildId: GuildId) =>
  Effect.gen(function*() {
    const principal = yield* CurrentPrincipal
    const tenancy = yield* Tenancy
    const scope = principal._tag === "TenantKey" ? Option.some(principal.tenantId) : Option.none()
    const asset = yield* tenancy.getAsset(guildId, scope)
    const tenantId = asset.guild.tenantId
    yield* checkRole(roleOnGuild(principal, tenantId, guildId), () => GuildNotFound.of(guildId))
    return { tenantId, guildId, asset } as AuthorizedGuild
  }).pipe(storedPlanMustExist)

/**
 * The tenant a request acts for when its path names none (a body or query
 * `tenantId`, or the caller's own): a tenant key's own tenant (naming another
 * answers like a nonexistent tenant); for a person, the named tenant checked
 * like a path's, or their only tenant; for an operator, the tenant
 * `operatorNaming` settles on.
 */
const namedTenant = <E, R>(
  requested: TenantId | undefined,
  operatorNaming: (requested: TenantId | undefined) => Effect.Effect<TenantId, E, R>
) =>
  Effect.flatMap(
    CurrentPrincipal,
    (
      principal
    ): Effect.Effect<AuthorizedTenant, E | TenantNotFound | InvalidInput | Forbidden, R | CurrentPrincipal> => {
      if (isOperatorPrincipal(principal)) return Effect.map(operatorNaming(requested), tenantAuthorized)
      if (requested !== undefined) return authorizeTenant(requested)
      if (principal._tag === "TenantKey") return authorizeTenant(principal.tenantId)
      if (principal._tag === "User" && principal.memberships.length === 1) {
        return authorizeTenant(principal.memberships[0]!.tenantId)
      }
      return Effect.fail(
        new InvalidInput({
          message: principal._tag === "User" && principal.memberships.length > 1
            ? "You are on the staff of several tenants: add tenantId to say which one this is for"
            : "You are on no tenant's staff: ask a tenant's owner to add you, or name a tenantId you belong to"
        })
      )
    }
  )

/** The tenant a request acts for when the path names none: see namedTenant; an operator must name an existing one. */
export const actingTenant = (requested: TenantId | undefined) =>
  namedTenant(requested, (named): Effect.Effect<TenantId, InvalidInput | TenantNotFound, Tenancy> =>
    named === undefined
      ? Effect.fail(new InvalidInput({ message: "An operator must name the tenant to act for: add tenantId" }))
      : Effect.as(Effect.flatMap(Tenancy, (tenancy) => tenancy.getTenant(named)), named))

/** The tenant a guild is installed for: like `actingTenant`, but the install itself checks the tenant exists. */
export const installingTenant = (requested: TenantId | undefined) =>
  namedTenant(
    requested,
    (named): Effect.Effect<TenantId, TenantIdRequired> =>
      named === undefined ? Effect.fail(TenantIdRequired.instance) : Effect.succeed(named)
  )

/**
 * The tenants a list spans: every tenant for an operator (none named), else
 * the one `actingTenant` settles on. Answers None for "every tenant".
 */
export const listScope = (requested: TenantId | undefined) =>
  Effect.flatMap(CurrentPrincipal, (principal) =>
    isOperatorPrincipal(principal) && requested === undefined
      ? Effect.succeed(Option.none<TenantId>())
      : Effect.map(actingTenant(requested), ({ tenantId }) => Option.some(tenantId)))

/** A request with one path parameter taken out of its type: the handler gets the authorized value instead. */
type WithoutPathParameter<Request, Name extends string> = Request extends { readonly path: infer Path }
  ? Omit<Request, "path"> & { readonly path: Omit<Path, Name> }
  : never

/** A handler of a route under /guilds/:guildId: it gets the guild the caller may act on, and no raw guild id. */
export const forGuild = <Request extends { readonly path: { readonly guildId: GuildId } }, A, E, R>(
  handle: (guild: AuthorizedGuild, request: WithoutPathParameter<Request, "guildId">) => Effect.Effect<A, E, R>
) =>
(request: Request) =>
  Effect.flatMap(
    authorizeGuild(request.path.guildId),
    (guild) => handle(guild, request as unknown as WithoutPathParameter<Request, "guildId">)
  )

/** A handler of a route under /tenants/:id: it gets the tenant the caller may act on, and no raw tenant id. */
export const forTenant = <Request extends { readonly path: { readonly id: TenantId } }, A, E, R>(
  handle: (tenant: AuthorizedTenant, request: WithoutPathParameter<Request, "id">) => Effect.Effect<A, E, R>
) =>
(request: Request) =>
  Effect.flatMap(
    authorizeTenant(request.path.id),
    (tenant) => handle(tenant, request as unknown as WithoutPathParameter<Request, "id">)
  )

/** A handler of an operator-only route under /tenants/:id: refused (403) to everyone else before it runs. */
export const asOperatorOn = (action: string) =>
<Request extends { readonly path: { readonly id: TenantId } }, A, E, R>(
  handle: (tenant: AuthorizedTenant, request: WithoutPathParameter<Request, "id">) => Effect.Effect<A, E, R>
) =>
(request: Request) =>
  Effect.flatMap(
    authorizeOperatorOn(request.path.id, action),
    (tenant) => handle(tenant, request as unknown as WithoutPathParameter<Request, "id">)
  )
