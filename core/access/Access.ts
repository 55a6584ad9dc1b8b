/**
 * Who may do what, as data. An endpoint asks for a level on the tenant or
 * guild it acts on; a caller's role there reaches some levels. Nothing here
 * knows HTTP: the HTTP adapter declares each endpoint's level and asks
 * `decide`.
 */
import { Option } from "effect"
import type { GuildId, TenantId } from "../ids.js"
import { type Principal } from "./Principal.js"

/** What an action asks of the caller on its tenant or guild. */
export type Level = "read" | "write" | "owner"

/** A caller's standing on one tenant or guild. */
export type Role = "operator" | "owner" | "admin" | "viewer" | "guildAdmin"

/** The role matrix: the levels each role reaches. A guild admin reaches them on that guild only. */
export const reaches: { readonly [R in Role]: ReadonlyArray<Level> } = {
  operator: ["read", "write", "owner"],
  owner: ["read", "write", "owner"],
  admin: ["read", "write"],
  viewer: ["read"],
  guildAdmin: ["read", "write"]
}

/** The caller's role on a tenant: none when it has no standing there at all. */
export const roleOnTenant = (principal: Principal, tenantId: TenantId): Option.Option<Role> => {
  switch (principal._tag) {
    case "Operator":
      return Option.some("operator")
    case "TenantKey":
      // A tenant's key is its machine admin: every tenant action but the owner's own (staff, ownership).
      return principal.tenantId === tenantId ? Option.some("admin") : Option.none()
    case "User": {
      if (principal.operator) return Option.some("operator")
      const membership = principal.memberships.find((candidate) => candidate.tenantId === tenantId)
      return membership ? Option.some(membership.role) : Option.none()
    }
  }
}

/** The caller's role on a guild held by `tenantId`: its tenant role, else guild admin by Discord's rule. */
export const roleOnGuild = (principal: Principal, tenantId: TenantId, guildId: GuildId): Option.Option<Role> =>
  Option.orElse(
    roleOnTenant(principal, tenantId),
    () =>
      principal._tag === "User" && principal.adminGuilds.includes(guildId)
        ? Option.some<Role>("guildAdmin")
        : Option.none()
  )

/**
 * Allowed; forbidden (the caller sees the tenant or guild but its role falls
 * short: 403); or hidden (no standing at all: answered exactly like a
 * nonexistent tenant or guild, so ids cannot be probed).
 */
export type Verdict = "allowed" | "forbidden" | "hidden"

export const decide = (role: Option.Option<Role>, level: Level): Verdict =>
  Option.match(role, {
    onNone: () => "hidden",
    onSome: (held) => reaches[held].includes(level) ? "allowed" : "forbidden"
  })
