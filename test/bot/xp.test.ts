import { assert, describe, expect, it, layer } from "@effect/vitest"
import { DateTime, Effect, Exit, Layer, Option, TestClock } from "effect"
import { DiscordRolesMemory, DiscordRolesMemoryControl, XpStoreMemory } from "../../adapters/memory/index.js"
import {
  ChannelId,
  type Entitlements,
  FeatureEvents,
  GuildId,
  levelForPoints,
  Permission,
  PlanCatalog,
  pointsForLevel,
  RoleId,
  TenantId,
  UserId,
  xpEvents,
  XpStore
} from "../../core/index.js"
import { channelId, FeaturesTestLayer, guildWith, slash } from "./featureHarness.js"

const alice = UserId.make("600000000000000001")
const levelOneRole = RoleId.make("610000000000000001")
const levelThreeRole = RoleId.make("610000000000000003")

const message = (guildId: GuildId, userId = alice) =>
  Effect.flatMap(FeatureEvents, (events) => events.dispatch({ _tag: "MessageCreated", guildId, channelId, userId }))

const pointsOf = (tenantId: TenantId, guildId: GuildId, userId = alice) =>
  Effect.flatMap(XpStore, (xp) => xp.get(tenantId, guildId, userId)).pipe(
    Effect.map(Option.map((standing) => standing.points))
  )

describe("xp levels", () => {
  it("level n needs 100·n² points", () => {
    expect([0, 99, 100, 399, 400, 899, 900, 1_250, 1_600, 10_000].map(levelForPoints)).toEqual([
      0,
      0,
      1,
      1,
      2,
      2,
      3,
      3,
      4,
      10
    ])
    for (let level = 0; level <= 500; level++) {
      expect(levelForPoints(pointsForLevel(level))).toBe(level)
      if (level > 0) expect(levelForPoints(pointsForLevel(level) - 1)).toBe(level - 1)
    }
  })
})

layer(FeaturesTestLayer)("xp over the test runtime", (it) => {
  it.effect("a message earns pointsPerMessage once per cooldown", () =>
    Effect.gen(function*() {
      const { guildId, tenantId } = yield* guildWith("basic", {
        xp: { pointsPerMessage: 15, cooldownSeconds: 60, levelRoles: [] }
      })
      yield* message(guildId)
      yield* message(guildId)
      yield* TestClock.adjust("59 seconds")
      yield* message(guildId)
      assert.deepStrictEqual(yield* pointsOf(tenantId, guildId), Option.some(15))
      yield* TestClock.adjust("1 second")
      yield* message(guildId)
      assert.deepStrictEqual(yield* pointsOf(tenantId, guildId), Option.some(30))
    }))

  it.effect("nothing is counted where xp is not enabled", () =>
    Effect.gen(function*() {
      const { guildId, tenantId } = yield* guildWith("basic")
      yield* message(guildId)
      assert.deepStrictEqual(yield* pointsOf(tenantId, guildId), Option.none())
    }))

  it.effect("reaching a level grants its role on Premium (xp-roles), not on Basic", () =>
    Effect.gen(function*() {
      const discord = yield* DiscordRolesMemoryControl
      const config = {
        pointsPerMessage: 100,
        cooldownSeconds: 0,
        levelRoles: [{ level: 1, roleId: levelOneRole }, { level: 3, roleId: levelThreeRole }]
      }
      const premium = yield* guildWith("premium", { xp: config })
      const basic = yield* guildWith("basic", { xp: config })
      yield* discord.addMember(premium.guildId, alice)
      yield* discord.addMember(basic.guildId, alice)

      yield* message(premium.guildId) // 100 points: level 1
      assert.deepStrictEqual(yield* discord.roles(premium.guildId, alice), Option.some([levelOneRole]))
      yield* message(premium.guildId) // 200: still level 1, nothing new
      assert.strictEqual((yield* discord.changes).filter((c) => c.guildId === premium.guildId).length, 1)

      yield* message(basic.guildId)
      assert.deepStrictEqual(yield* pointsOf(basic.tenantId, basic.guildId), Option.some(100))
      assert.deepStrictEqual(yield* discord.roles(basic.guildId, alice), Option.some([]))
    }))

  it.effect("/rank shows the level, points, place and what the next level needs; /leaderboard pages by 10", () =>
    Effect.gen(function*() {
      const { guildId, tenantId } = yield* guildWith("basic", { xp: {} })
      const members = Array.from(
        { length: 12 },
        (_, i) => UserId.make(`62000000000000000${String(i).padStart(2, "0")}`)
      )
      // Member i has 100·(12 − i) points: 1,200 for the first, 100 for the last; alice has 1,250 and leads.
      for (const [i, userId] of members.entries()) yield* give(tenantId, guildId, userId, 100 * (12 - i))
      yield* give(tenantId, guildId, alice, 1_250)

      const own = yield* slash(guildId, ["rank"], {}, { userId: alice })
      assert.deepStrictEqual(own, {
        content: `<@${alice}> is level 3 with 1,250 points (#1 in this server); 350 points to level 4`,
        ephemeral: false
      })
      const fourth = yield* slash(guildId, ["rank"], { user: members[2]! }, { userId: alice })
      assert.strictEqual(
        fourth.content,
        `<@${members[2]}> is level 3 with 1,000 points (#4 in this server); 600 points to level 4`
      )
      const nobody = yield* slash(guildId, ["rank"], { user: "630000000000000001" })
      assert.match(nobody.content, /^<@630000000000000001> has no points yet/)

      const first = yield* slash(guildId, ["leaderboard"])
      const lines = first.content.split("\n")
      assert.strictEqual(lines[0], "**Leaderboard** (page 1)")
      assert.strictEqual(lines.length, 11)
      assert.strictEqual(lines[1], `**#1** <@${alice}>: level 3, 1,250 points`)
      assert.strictEqual(lines[2], `**#2** <@${members[0]}>: level 3, 1,200 points`)
      assert.isFalse(first.ephemeral)
      const second = yield* slash(guildId, ["leaderboard"], { page: 2 })
      assert.deepStrictEqual(second.content.split("\n").slice(1), [
        `**#11** <@${members[9]}>: level 1, 300 points`,
        `**#12** <@${members[10]}>: level 1, 200 points`,
        `**#13** <@${members[11]}>: level 1, 100 points`
      ])
      assert.strictEqual(
        (yield* slash(guildId, ["leaderboard"], { page: 3 })).content,
        "Page 3 of the leaderboard is empty."
      )
      assert.isTrue((yield* slash(guildId, ["leaderboard"], { page: 0 })).ephemeral) // refused: pages start at 1
    }))

  it.effect("/xp reset clears a member's points for an admin; a member is refused by the guardrail", () =>
    Effect.gen(function*() {
      const { guildId, tenantId } = yield* guildWith("basic", { xp: {} })
      yield* give(tenantId, guildId, alice, 500)

      const denied = yield* slash(guildId, ["xp", "reset"], { user: alice })
      assert.isTrue(denied.ephemeral)
      assert.deepStrictEqual(yield* pointsOf(tenantId, guildId), Option.some(500))

      const admin = { memberPermissions: Permission.ManageGuild }
      const reset = yield* slash(guildId, ["xp", "reset"], { user: alice }, admin)
      assert.match(reset.content, /points are reset to 0/)
      assert.isTrue(reset.ephemeral)
      assert.deepStrictEqual(yield* pointsOf(tenantId, guildId), Option.none())
      const again = yield* slash(guildId, ["xp", "reset"], { user: alice }, admin)
      assert.strictEqual(again.content, `<@${alice}> has no points to reset.`)
    }))
})

const give = (tenantId: TenantId, guildId: GuildId, userId: UserId, points: number) =>
  Effect.flatMap(XpStore, (xp) =>
    Effect.flatMap(
      DateTime.now,
      (now) => xp.award({ tenantId, guildId, userId, points, cooldownSeconds: 0, now })
    ))

describe("xp level roles", () => {
  const tenantId = TenantId.make("00000001-0000-4000-8000-000000000001")
  const guildId = GuildId.make("710000000000000001")
  const config = { pointsPerMessage: 1_000, cooldownSeconds: 0, levelRoles: [{ level: 2, roleId: levelOneRole }] }
  const handlerLayer = Layer.merge(XpStoreMemory, DiscordRolesMemory)

  it.effect("a role Discord refuses is logged, not thrown: the points stay awarded", () =>
    Effect.gen(function*() {
      const discord = yield* DiscordRolesMemoryControl
      yield* discord.addMember(guildId, alice)
      yield* discord.failNext("missing_permissions")
      const handlers = yield* xpEvents
      const premium = PlanCatalog.make().plansByKey.get("premium")!
      const entitlements: Entitlements = {
        planKey: premium.key,
        features: new Set(premium.features),
        limits: premium.limits,
        access: "full",
        validUntil: null
      }
      const exit = yield* Effect.exit(handlers.MessageCreated!(
        { _tag: "MessageCreated", guildId, channelId: ChannelId.make("800000000000000009"), userId: alice },
        { tenantId, guildId, config, entitlements }
      ))
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(yield* pointsOf(tenantId, guildId), Option.some(1_000))
      assert.deepStrictEqual(yield* discord.roles(guildId, alice), Option.some([]))
    }).pipe(Effect.provide(handlerLayer)))
})
