import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { type GuildId, type GuildRepo, type TenantId, type TenantRepo, UserId, XpStore } from "../../core/index.js"
import { at } from "../support/fixtures.js"
import { tenantWithGuilds } from "../support/policy.js"
import type { Store } from "../support/stores.js"

export type XpPorts = TenantRepo | GuildRepo | XpStore

const alice = UserId.make("500000000000000001")
const bob = UserId.make("500000000000000002")
const carol = UserId.make("500000000000000003")

const award = (tenantId: TenantId, guildId: GuildId, userId: UserId, millis: number, points = 10) =>
  Effect.flatMap(XpStore, (xp) => xp.award({ tenantId, guildId, userId, points, cooldownSeconds: 60, now: at(millis) }))

export const xpStoreContract = (store: Store<XpPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`XpStore on ${store.name}`, (it) => {
    it.effect("awards once per cooldown, counting from the last award", () =>
      Effect.gen(function*() {
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        assert.deepStrictEqual(yield* award(tenantId, guildId, alice, 1_000_000), {
          awarded: true,
          total: 10,
          previousTotal: 0
        })
        assert.deepStrictEqual(yield* award(tenantId, guildId, alice, 1_030_000), {
          awarded: false,
          total: 10,
          previousTotal: 10
        })
        assert.deepStrictEqual(yield* award(tenantId, guildId, alice, 1_059_999), {
          awarded: false,
          total: 10,
          previousTotal: 10
        })
        // Exactly the cooldown after the last award: due again.
        assert.deepStrictEqual(yield* award(tenantId, guildId, alice, 1_060_000, 25), {
          awarded: true,
          total: 35,
          previousTotal: 10
        })
        assert.isFalse((yield* award(tenantId, guildId, alice, 1_100_000)).awarded)
        const noCooldown = yield* (yield* XpStore).award({
          tenantId,
          guildId,
          userId: alice,
          points: 1,
          cooldownSeconds: 0,
          now: at(1_060_000)
        })
        assert.deepStrictEqual(noCooldown, { awarded: true, total: 36, previousTotal: 35 })
      }))

    it.effect("concurrent awards within one cooldown award exactly once", () =>
      Effect.gen(function*() {
        const { guildIds: [guildId], tenantId } = yield* tenantWithGuilds()
        // The member's first award (an insert) and a later one (an update) both race.
        for (const millis of [2_000_000, 2_120_000]) {
          const results = yield* Effect.all(
            Array.from({ length: 8 }, () => award(tenantId, guildId, bob, millis)),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(results.filter((result) => result.awarded).length, 1)
        }
        assert.deepStrictEqual(
          yield* (yield* XpStore).get(tenantId, guildId, bob),
          Option.some({ points: 20, rank: 1 })
        )
      }))

    it.effect("ranks by points (ties share a place), pages the leaderboard, and resets a member", () =>
      Effect.gen(function*() {
        const xp = yield* XpStore
        const { guildIds: [guildId, other], tenantId } = yield* tenantWithGuilds(2)
        yield* award(tenantId, guildId, alice, 0, 30)
        yield* award(tenantId, guildId, bob, 0, 50)
        yield* award(tenantId, guildId, carol, 0, 30)
        yield* award(tenantId, other!, alice, 0, 999)

        assert.deepStrictEqual(yield* xp.get(tenantId, guildId, bob), Option.some({ points: 50, rank: 1 }))
        assert.deepStrictEqual(yield* xp.get(tenantId, guildId, alice), Option.some({ points: 30, rank: 2 }))
        assert.deepStrictEqual(yield* xp.get(tenantId, guildId, carol), Option.some({ points: 30, rank: 2 }))
        assert.deepStrictEqual(yield* xp.get(tenantId, guildId, UserId.make("500000000000000009")), Option.none())

        assert.deepStrictEqual(yield* xp.leaderboard(tenantId, guildId, { offset: 0, limit: 2 }), [
          { userId: bob, points: 50 },
          { userId: alice, points: 30 }
        ])
        assert.deepStrictEqual(yield* xp.leaderboard(tenantId, guildId, { offset: 2, limit: 2 }), [
          { userId: carol, points: 30 }
        ])
        assert.deepStrictEqual(yield* xp.leaderboard(tenantId, guildId, { offset: 4, limit: 2 }), [])

        assert.isTrue(yield* xp.reset(tenantId, guildId, bob))
        assert.isFalse(yield* xp.reset(tenantId, guildId, bob))
        assert.deepStrictEqual(yield* xp.get(tenantId, guildId, bob), Option.none())
        assert.deepStrictEqual(yield* xp.get(tenantId, guildId, alice), Option.some({ points: 30, rank: 1 }))
        assert.deepStrictEqual(yield* xp.get(tenantId, other!, alice), Option.some({ points: 999, rank: 1 }))
        // A reset member starts over, with no cooldown left.
        assert.deepStrictEqual(yield* award(tenantId, guildId, bob, 1), { awarded: true, total: 10, previousTotal: 0 })
      }))

    it.effect("a tenant neither sees, ranks nor resets another tenant's members", () =>
      Effect.gen(function*() {
        const xp = yield* XpStore
        const owner = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const [guildId] = owner.guildIds
        yield* award(owner.tenantId, guildId, alice, 0, 40)
        assert.deepStrictEqual(yield* xp.get(intruder.tenantId, guildId, alice), Option.none())
        assert.deepStrictEqual(yield* xp.leaderboard(intruder.tenantId, guildId, { offset: 0, limit: 10 }), [])
        assert.isFalse(yield* xp.reset(intruder.tenantId, guildId, alice))
        assert.deepStrictEqual(yield* xp.get(owner.tenantId, guildId, alice), Option.some({ points: 40, rank: 1 }))
      }))
  })
