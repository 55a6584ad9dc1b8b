import { DateTime, Effect, Option } from "effect"
import type { GuildId, RoleId, TenantId } from "../ids.js"
import { GuildEntitlements } from "../plans/GuildEntitlements.js"
import { fitsWithin } from "../plans/Plan.js"
import { GuildRepo, type GuildRepoService } from "../ports/GuildRepo.js"
import { PaidRoleRepo, type PaidRoleRepoService } from "../ports/PaidRoleRepo.js"
import { GuildNotFound, type TenantNotFound } from "../tenancy/errors.js"
import { PaidRoleLimitReached, PaidRoleNotFound, SepaySellsVndOnly } from "./errors.js"
import { PaidRole, type PaidRoleInput, unsellableOverSepay } from "./PaidRole.js"

/** GuildNotFound unless the guild is installed (not removed): the bot has left a removed guild. */
export const requireInstalledGuild = (
  guilds: GuildRepoService,
  tenantId: TenantId,
  guildId: GuildId
): Effect.Effect<void, GuildNotFound> =>
  Effect.flatMap(
    guilds.find(tenantId, guildId),
    (guild) =>
      Option.exists(guild, (g) => g.status === "installed") ? Effect.void : Effect.fail(GuildNotFound.of(guildId))
  )

export const findPaidRole = (
  roles: PaidRoleRepoService,
  tenantId: TenantId,
  guildId: GuildId,
  roleId: RoleId
): Effect.Effect<PaidRole, PaidRoleNotFound> =>
  Effect.flatMap(
    roles.find(tenantId, guildId, roleId),
    Option.match({ onNone: () => Effect.fail(PaidRoleNotFound.of(guildId, roleId)), onSome: Effect.succeed })
  )

/** The roles a guild sells: created and changed within the plan's maxPaidRoles, listed, removed. */
export const makePaidRoleCatalog = Effect.gen(function*() {
  const roles = yield* PaidRoleRepo
  const guilds = yield* GuildRepo
  const entitlements = yield* GuildEntitlements

  /**
   * Sells `roleId` in the guild (or changes how it is sold). A new paid role
   * must fit the plan's maxPaidRoles for the guild; one sold over SePay must be priced in VND.
   */
  const put = (
    tenantId: TenantId,
    guildId: GuildId,
    roleId: RoleId,
    input: PaidRoleInput
  ): Effect.Effect<PaidRole, GuildNotFound | TenantNotFound | PaidRoleLimitReached | SepaySellsVndOnly> =>
    Effect.gen(function*() {
      yield* requireInstalledGuild(guilds, tenantId, guildId)
      if (unsellableOverSepay([input]).length > 0) {
        return yield* SepaySellsVndOnly.of([{ guildId, roleId, currency: input.price.currency }])
      }
      const [existing, now] = yield* Effect.all([roles.find(tenantId, guildId, roleId), DateTime.now])
      if (Option.isNone(existing)) {
        const [sold, granted] = yield* Effect.all([
          roles.list(tenantId, guildId),
          entitlements.resolve(tenantId, guildId)
        ])
        if (!fitsWithin(granted.limits.maxPaidRoles, sold.length)) {
          return yield* PaidRoleLimitReached.of(granted.planKey, granted.limits.maxPaidRoles)
        }
      }
      const role = PaidRole.make({
        ...input,
        tenantId,
        guildId,
        roleId,
        createdAt: Option.match(existing, { onNone: () => now, onSome: (r) => r.createdAt }),
        updatedAt: now
      })
      yield* roles.upsert(role)
      return role
    })

  const find = (tenantId: TenantId, guildId: GuildId, roleId: RoleId) => findPaidRole(roles, tenantId, guildId, roleId)

  const remove = (tenantId: TenantId, guildId: GuildId, roleId: RoleId) =>
    Effect.flatMap(
      roles.remove(tenantId, guildId, roleId),
      (removed) => removed ? Effect.void : Effect.fail(PaidRoleNotFound.of(guildId, roleId))
    )

  return { put, find, list: roles.list, remove } as const
})
