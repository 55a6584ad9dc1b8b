import { Effect, Option } from "effect"
import { canActOn, type GuildId, InvalidInput, Tenancy, type TenantId, TenantNotFound } from "../../core/index.js"
import { CurrentPrincipal } from "./Auth.js"
import { storedPlanMustExist } from "./storedPlanMustExist.js"
import { OperatorOnly } from "./Tenants/OperatorOnly.js"

/**
 * Succeeds when the caller may act on the tenant. A tenant outside the
 * caller's reach answers exactly like a nonexistent one, so a key cannot
 * probe which tenant ids exist.
 */
export const ensureCanActOn = (tenantId: TenantId) =>
  Effect.flatMap(
    CurrentPrincipal,
    (principal) => canActOn(principal, tenantId) ? Effect.void : Effect.fail(TenantNotFound.of(tenantId))
  )

/** The tenant a caller is confined to: none for the operator. */
export const tenantScope: Effect.Effect<Option.Option<TenantId>, never, CurrentPrincipal> = Effect.map(
  CurrentPrincipal,
  (principal) => principal._tag === "Operator" ? Option.none() : Option.some(principal.tenantId)
)

/** Whether the caller holds an operator key. */
export const isOperator: Effect.Effect<boolean, never, CurrentPrincipal> = Effect.map(
  CurrentPrincipal,
  (principal) => principal._tag === "Operator"
)

/** Fails with OperatorOnly (403) unless the caller holds an operator key. */
export const ensureOperator = (action: string) =>
  Effect.flatMap(isOperator, (operator) => operator ? Effect.void : Effect.fail(OperatorOnly.of(action)))

/**
 * The tenant holding the guild, checked: for a tenant key its own tenant,
 * which must have (or have had) the guild; for the operator whichever tenant
 * has (or last had) it. Another tenant's guild answers GuildNotFound exactly
 * like a nonexistent one, so every /assets/:guildId/* and /usage/:guildId/*
 * route resolves the guild through here before touching it.
 */
export const holderOf = (guildId: GuildId) => Effect.map(heldGuild(guildId), (guild) => guild.tenantId)

/** The guild's row as its holder has it (installed or removed), checked like `holderOf`. */
export const heldGuild = (guildId: GuildId) =>
  Effect.all([tenantScope, Tenancy]).pipe(
    Effect.flatMap(([scope, tenancy]) => tenancy.getAsset(guildId, scope)),
    Effect.map((asset) => asset.guild),
    storedPlanMustExist
  )

/**
 * The tenant a request acts for when the path names none: a tenant key's own
 * (naming another answers like a nonexistent tenant), or the one an operator
 * key names in `requested`.
 */
export const actingTenant = (
  requested: TenantId | undefined
): Effect.Effect<TenantId, InvalidInput | TenantNotFound, CurrentPrincipal | Tenancy> =>
  Effect.flatMap(CurrentPrincipal, (principal): Effect.Effect<TenantId, InvalidInput | TenantNotFound, Tenancy> => {
    if (principal._tag !== "Operator") {
      return requested === undefined || requested === principal.tenantId
        ? Effect.succeed(principal.tenantId)
        : Effect.fail(TenantNotFound.of(requested))
    }
    return requested === undefined
      ? Effect.fail(new InvalidInput({ message: "An operator key must name the tenant to act for: add tenantId" }))
      : Effect.as(Effect.flatMap(Tenancy, (tenancy) => tenancy.getTenant(requested)), requested)
  })
