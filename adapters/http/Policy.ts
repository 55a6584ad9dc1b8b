/**
 * Who may act on what. Handlers reach a tenant's data only through the
 * values made here: an `AuthorizedTenant` or `AuthorizedGuild` exists only
 * once the caller's access was checked, and nothing outside this module can
 * make one (their brand is a symbol this module does not export). A tenant or
 * guild outside the caller's reach answers exactly like a nonexistent one, so
 * a key cannot probe which ids exist.
 */
import { Effect, Option } from "effect"
import {
  type Asset,
  canActOn,
  type GuildId,
  InvalidInput,
  isOperatorPrincipal,
  Tenancy,
  type TenantId,
  TenantNotFound
} from "../../core/index.js"
import { CurrentPrincipal } from "./Auth.js"
import { OperatorOnly, TenantIdRequired } from "./shared/Errors.js"
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

/** The tenant a caller is confined to: none for the operator. */
export const tenantScope: Effect.Effect<Option.Option<TenantId>, never, CurrentPrincipal> = Effect.map(
  CurrentPrincipal,
  (principal) => {
    if (isOperatorPrincipal(principal)) return Option.none()
    // TODO(issue 18): a person on several tenants' staff is scoped per request, not to one tenant.
    return principal._tag === "TenantKey"
      ? Option.some(principal.tenantId)
      : Option.fromNullable(principal._tag === "User" ? principal.memberships[0]?.tenantId : undefined)
  }
)

/** Whether the caller holds an operator key. */
export const isOperator: Effect.Effect<boolean, never, CurrentPrincipal> = Effect.map(
  CurrentPrincipal,
  isOperatorPrincipal
)

/** Fails with OperatorOnly (403) unless the caller holds an operator key. */
export const ensureOperator = (action: string) =>
  Effect.flatMap(isOperator, (operator) => operator ? Effect.void : Effect.fail(OperatorOnly.of(action)))

/** The tenant named in a path, if the caller may act on it: its own for a tenant key, any for the operator. */
export const authorizeTenant = (tenantId: TenantId) =>
  Effect.flatMap(
    CurrentPrincipal,
    (principal) =>
      canActOn(principal, tenantId)
        ? Effect.succeed(tenantAuthorized(tenantId))
        : Effect.fail(TenantNotFound.of(tenantId))
  )

/** The tenant named in a path of an operator-only action: any tenant, for an operator key only. */
export const authorizeOperatorOn = (tenantId: TenantId, action: string) =>
  Effect.as(ensureOperator(action), tenantAuthorized(tenantId))

/**
 * The guild, checked: for a tenant key its own tenant must have (or have had)
 * it; for the operator whichever tenant has (or last had) it. Another
 * tenant's guild answers GuildNotFound like a nonexistent one.
 */
export const authorizeGuild = (guildId: GuildId) =>
  Effect.all([tenantScope, Tenancy]).pipe(
    Effect.flatMap(([scope, tenancy]) => tenancy.getAsset(guildId, scope)),
    Effect.map((asset) => ({ tenantId: asset.guild.tenantId, guildId, asset }) as AuthorizedGuild),
    storedPlanMustExist
  )

/** The tenant a request names in its body or query (or leaves to the key), checked by `operatorNaming`. */
const namedTenant = <E, R>(
  requested: TenantId | undefined,
  operatorNaming: (requested: TenantId | undefined) => Effect.Effect<TenantId, E, R>
) =>
  Effect.flatMap(CurrentPrincipal, (principal): Effect.Effect<AuthorizedTenant, E | TenantNotFound, R> => {
    if (isOperatorPrincipal(principal)) return Effect.map(operatorNaming(requested), tenantAuthorized)
    const own = principal._tag === "TenantKey"
      ? principal.tenantId
      : principal._tag === "User"
      ? principal.memberships[0]?.tenantId
      : undefined
    if (own === undefined) return Effect.fail(TenantNotFound.of(requested ?? "none"))
    return requested === undefined || requested === own
      ? Effect.succeed(tenantAuthorized(own))
      : Effect.fail(TenantNotFound.of(requested))
  })

/**
 * The tenant a request acts for when the path names none: a tenant key's own
 * (naming another answers like a nonexistent tenant), or the existing one an
 * operator key names in `requested`.
 */
export const actingTenant = (requested: TenantId | undefined) =>
  namedTenant(requested, (named): Effect.Effect<TenantId, InvalidInput | TenantNotFound, Tenancy> =>
    named === undefined
      ? Effect.fail(new InvalidInput({ message: "An operator key must name the tenant to act for: add tenantId" }))
      : Effect.as(Effect.flatMap(Tenancy, (tenancy) => tenancy.getTenant(named)), named))

/** The tenant a guild is installed for: like `actingTenant`, but the install itself checks the tenant exists. */
export const installingTenant = (requested: TenantId | undefined) =>
  namedTenant(
    requested,
    (named): Effect.Effect<TenantId, TenantIdRequired> =>
      named === undefined ? Effect.fail(TenantIdRequired.instance) : Effect.succeed(named)
  )

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

/** A handler of an operator-only route under /tenants/:id: refused (403) to tenant keys before it runs. */
export const asOperatorOn = (action: string) =>
<Request extends { readonly path: { readonly id: TenantId } }, A, E, R>(
  handle: (tenant: AuthorizedTenant, request: WithoutPathParameter<Request, "id">) => Effect.Effect<A, E, R>
) =>
(request: Request) =>
  Effect.flatMap(
    authorizeOperatorOn(request.path.id, action),
    (tenant) => handle(tenant, request as unknown as WithoutPathParameter<Request, "id">)
  )
