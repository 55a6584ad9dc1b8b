import { Context, type Effect, type Option } from "effect"
import type { GuildId, RoleId, TenantId } from "../ids.js"
import type { PaidRole } from "../payments/PaidRole.js"

export interface PaidRoleRepoService {
  /** Creates or replaces the guild's paid role for `role.roleId`. */
  readonly upsert: (role: PaidRole) => Effect.Effect<void>
  readonly find: (tenantId: TenantId, guildId: GuildId, roleId: RoleId) => Effect.Effect<Option.Option<PaidRole>>
  /** The guild's paid roles by name. */
  readonly list: (tenantId: TenantId, guildId: GuildId) => Effect.Effect<ReadonlyArray<PaidRole>>
  /** False when there was none. Members' subscriptions are kept (their history stays). */
  readonly remove: (tenantId: TenantId, guildId: GuildId, roleId: RoleId) => Effect.Effect<boolean>
}

export class PaidRoleRepo extends Context.Tag("core/PaidRoleRepo")<PaidRoleRepo, PaidRoleRepoService>() {}
