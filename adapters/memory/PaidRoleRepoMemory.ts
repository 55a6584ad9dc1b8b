import { Effect, Layer, Option } from "effect"
import { type PaidRole, PaidRoleRepo } from "../../core/index.js"
import { compareCodeUnits } from "./ordering.js"

const roleKey = (tenantId: string, guildId: string, roleId: string) => `${tenantId}/${guildId}/${roleId}`

/** By name, then role id: the order PaidRoleRepoSql lists in. */
const roleOrder = (a: PaidRole, b: PaidRole): number =>
  compareCodeUnits(a.name, b.name) || compareCodeUnits(a.roleId, b.roleId)

/** PaidRoleRepo in memory, with a store of its own (no guild foreign key is checked). */
export const PaidRoleRepoMemory = Layer.sync(PaidRoleRepo, () => {
  const roles = new Map<string, PaidRole>()
  return PaidRoleRepo.of({
    upsert: (role) => Effect.sync(() => void roles.set(roleKey(role.tenantId, role.guildId, role.roleId), role)),
    find: (tenantId, guildId, roleId) =>
      Effect.sync(() => Option.fromNullable(roles.get(roleKey(tenantId, guildId, roleId)))),
    list: (tenantId, guildId) =>
      Effect.sync(() =>
        Array.from(roles.values())
          .filter((role) => role.tenantId === tenantId && role.guildId === guildId)
          .sort(roleOrder)
      ),
    remove: (tenantId, guildId, roleId) => Effect.sync(() => roles.delete(roleKey(tenantId, guildId, roleId)))
  })
})
