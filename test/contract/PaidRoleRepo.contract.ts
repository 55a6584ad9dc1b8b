import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { Currency, type GuildRepo, PaidRole, PaidRoleRepo, RoleId, type TenantRepo } from "../../core/index.js"
import { at } from "../support/fixtures.js"
import { tenantWithGuilds } from "../support/policy.js"
import type { Store } from "../support/stores.js"

export type PaidRolePorts = TenantRepo | GuildRepo | PaidRoleRepo

export const makePaidRole = (fields: Pick<PaidRole, "tenantId" | "guildId"> & Partial<PaidRole>) =>
  PaidRole.make({
    roleId: RoleId.make("400000000000000001"),
    name: "Supporter",
    price: { minor: 500, currency: Currency.make("USD") },
    stripePriceId: "price_1Nxyz",
    polarProductId: null,
    sepayPassDays: null,
    graceDays: 3,
    createdAt: at(1_000),
    updatedAt: at(1_000),
    ...fields
  })

export const paidRoleRepoContract = (store: Store<PaidRolePorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`PaidRoleRepo on ${store.name}`, (it) => {
    it.effect("upserts, finds, lists by name and removes a guild's paid roles", () =>
      Effect.gen(function*() {
        const roles = yield* PaidRoleRepo
        const { guildIds: [guildId, second], tenantId } = yield* tenantWithGuilds(2)
        const otherGuildId = second!
        const vip = makePaidRole({ tenantId, guildId, roleId: RoleId.make("400000000000000002"), name: "VIP" })
        const supporter = makePaidRole({
          tenantId,
          guildId,
          roleId: RoleId.make("400000000000000003"),
          name: "Supporter",
          price: { minor: 99_000, currency: Currency.make("VND") },
          stripePriceId: null,
          polarProductId: "0b6f3c9e-2f7a-4c1e-9a51-6c1d2e3f4a5b",
          sepayPassDays: 30,
          graceDays: 0
        })
        const elsewhere = makePaidRole({ tenantId, guildId: otherGuildId, name: "Elsewhere" })
        yield* roles.upsert(vip)
        yield* roles.upsert(supporter)
        yield* roles.upsert(elsewhere)
        assert.deepStrictEqual(yield* roles.find(tenantId, guildId, vip.roleId), Option.some(vip))
        assert.deepStrictEqual(yield* roles.list(tenantId, guildId), [supporter, vip])
        assert.deepStrictEqual(yield* roles.list(tenantId, otherGuildId), [elsewhere])

        const renamed = PaidRole.make({ ...vip, name: "Patron", graceDays: 7, updatedAt: at(2_000) })
        yield* roles.upsert(renamed)
        assert.deepStrictEqual(yield* roles.find(tenantId, guildId, vip.roleId), Option.some(renamed))
        assert.deepStrictEqual(yield* roles.list(tenantId, guildId), [renamed, supporter])

        assert.isTrue(yield* roles.remove(tenantId, guildId, vip.roleId))
        assert.isFalse(yield* roles.remove(tenantId, guildId, vip.roleId))
        assert.deepStrictEqual(yield* roles.find(tenantId, guildId, vip.roleId), Option.none())
        assert.deepStrictEqual(yield* roles.list(tenantId, guildId), [supporter])
        assert.deepStrictEqual(yield* roles.list(tenantId, otherGuildId), [elsewhere])
      }))

    it.effect("a tenant neither sees nor removes another tenant's paid roles", () =>
      Effect.gen(function*() {
        const roles = yield* PaidRoleRepo
        const owner = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const [guildId] = owner.guildIds
        const role = makePaidRole({ tenantId: owner.tenantId, guildId })
        yield* roles.upsert(role)
        assert.deepStrictEqual(yield* roles.find(intruder.tenantId, guildId, role.roleId), Option.none())
        assert.deepStrictEqual(yield* roles.list(intruder.tenantId, guildId), [])
        assert.isFalse(yield* roles.remove(intruder.tenantId, guildId, role.roleId))
        assert.deepStrictEqual(yield* roles.list(owner.tenantId, guildId), [role])
      }))
  })
