import { Data } from "effect"
import type { ApiKeyId, GuildId, SessionId, TenantId, UserId } from "../ids.js"

/** A person's role on a tenant's staff. */
export type TenantRole = "owner" | "admin" | "viewer"
export const tenantRoles: ReadonlyArray<TenantRole> = ["owner", "admin", "viewer"]

/** A person's place on one tenant's staff. */
export interface TenantMembership {
  readonly tenantId: TenantId
  readonly role: TenantRole
}

/**
 * Who is calling. Machines hold API keys: an operator key (every tenant) or a
 * tenant's key. People sign in with Discord and hold a session: a user may be
 * an operator, on the staff of some tenants, and an admin of some Discord
 * guilds by Discord's own rule (owner, Manage Guild or Administrator).
 */
export type Principal = Data.TaggedEnum<{
  Operator: { readonly keyId: ApiKeyId }
  TenantKey: { readonly keyId: ApiKeyId; readonly tenantId: TenantId }
  User: {
    readonly userId: UserId
    readonly sessionId: SessionId
    readonly operator: boolean
    readonly memberships: ReadonlyArray<TenantMembership>
    /** Guilds this user may manage by Discord's rule, as last read from Discord. */
    readonly adminGuilds: ReadonlyArray<GuildId>
  }
}>
export const Principal = Data.taggedEnum<Principal>()

/** Whether the principal acts with the operator's reach (every tenant). */
export const isOperatorPrincipal = (principal: Principal): boolean =>
  principal._tag === "Operator" || (principal._tag === "User" && principal.operator)

/** Whether the principal may see the tenant's data at all (any role on it). */
export const canActOn = (principal: Principal, tenantId: TenantId): boolean => {
  switch (principal._tag) {
    case "Operator":
      return true
    case "TenantKey":
      return principal.tenantId === tenantId
    case "User":
      return principal.operator || principal.memberships.some((membership) => membership.tenantId === tenantId)
  }
}

/** A stable string naming the principal: what rate limits and idempotency keys are kept per. */
export const principalSubject = (principal: Principal): string =>
  principal._tag === "User" ? `user:${principal.userId}` : `key:${principal.keyId}`
