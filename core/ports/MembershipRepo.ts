import { Context, type Effect, Schema } from "effect"
import { TenantId, UserId } from "../ids.js"

export const TenantRoleSchema = Schema.Literal("owner", "admin", "viewer").annotations({
  identifier: "TenantRole",
  description: "owner (everything, including staff), admin (configure guilds, keys, billing), viewer (read only)"
})

/**
 * A person on a tenant's staff, named by Discord user id. The row can exist
 * before the person ever signs in (an invitation, or the owner of a
 * self-served guild): it takes effect at their first login.
 */
export class StaffMember extends Schema.Class<StaffMember>("StaffMember")({
  tenantId: TenantId,
  userId: UserId,
  role: TenantRoleSchema,
  addedAt: Schema.DateTimeUtc
}) {}

/** Tenants' staff. Tenant-scoped writes; `listForUser` is the one cross-tenant read (a person's own tenants). */
export interface MembershipRepoService {
  /** Adds the person with `role`, or changes the role of one already on the staff. */
  readonly put: (member: StaffMember) => Effect.Effect<void>
  readonly listForTenant: (tenantId: TenantId) => Effect.Effect<ReadonlyArray<StaffMember>>
  readonly listForUser: (userId: UserId) => Effect.Effect<ReadonlyArray<StaffMember>>
  /** Removes the person; answers whether they were on the staff. The last-owner rule is the core's, not the repo's. */
  readonly remove: (tenantId: TenantId, userId: UserId) => Effect.Effect<boolean>
}

export class MembershipRepo extends Context.Tag("core/MembershipRepo")<MembershipRepo, MembershipRepoService>() {}
