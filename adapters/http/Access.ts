import { Effect, Option } from "effect"
import { canActOn, type TenantId, TenantNotFound } from "../../core/index.js"
import { CurrentPrincipal } from "./Auth.js"

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
