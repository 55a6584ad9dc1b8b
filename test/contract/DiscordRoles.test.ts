import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { DiscordRolesMemory, DiscordRolesMemoryControl } from "../../adapters/memory/index.js"
import { DiscordRoles, RoleId, UserId } from "../../core/index.js"
import { discordRolesOverFake, fakeGuild } from "../discord/restLayer.js"
import { newGuildId } from "../support/fixtures.js"
import { discordRolesContract } from "./DiscordRoles.contract.js"

let users = 0
const newUserId = () => UserId.make(`4${String(++users).padStart(17, "0")}`)
const paid = RoleId.make("500000000000000001")
const other = RoleId.make("500000000000000002")

const memberFixture = Effect.gen(function*() {
  const control = yield* DiscordRolesMemoryControl
  const guildId = newGuildId()
  const memberId = newUserId()
  yield* control.addMember(guildId, memberId)
  return { guildId, memberId, nonMemberId: newUserId(), roles: [paid, other] as const }
})

discordRolesContract({ name: "memory", layer: () => DiscordRolesMemory, fixture: memberFixture })
discordRolesContract({
  name: "REST (discord.js) against a fake Discord API",
  layer: discordRolesOverFake,
  fixture: fakeGuild
})

describe("DiscordRolesMemory control", () => {
  const change = (guildId: ReturnType<typeof newGuildId>, userId: UserId) => ({
    guildId,
    userId,
    roleId: paid,
    reason: "test"
  })

  it.effect("counts only the grants and revokes that changed something", () =>
    Effect.gen(function*() {
      const discord = yield* DiscordRoles
      const control = yield* DiscordRolesMemoryControl
      const { guildId, memberId } = yield* memberFixture
      yield* discord.grant(change(guildId, memberId))
      yield* discord.grant(change(guildId, memberId))
      yield* discord.revoke(change(guildId, memberId))
      yield* discord.revoke(change(guildId, memberId))
      assert.deepStrictEqual(yield* control.counts, { grants: 1, revokes: 1 })
      assert.deepStrictEqual((yield* control.changes).map(({ action }) => action), ["grant", "revoke"])
    }).pipe(Effect.provide(DiscordRolesMemory)))

  it.effect("fails the next calls with the programmed reason, then behaves again", () =>
    Effect.gen(function*() {
      const discord = yield* DiscordRoles
      const control = yield* DiscordRolesMemoryControl
      const { guildId, memberId } = yield* memberFixture
      yield* control.failNext("rate_limited", { times: 2, retryAfterMs: 1_500 })
      const first = yield* Effect.flip(discord.grant(change(guildId, memberId)))
      assert.deepStrictEqual([first.reason, first.retryAfterMs, first.retryable], ["rate_limited", 1_500, true])
      const second = yield* Effect.flip(discord.memberRoles(guildId, memberId))
      assert.strictEqual(second.reason, "rate_limited")
      yield* discord.grant(change(guildId, memberId))
      assert.deepStrictEqual(yield* control.roles(guildId, memberId), Option.some([paid]))

      yield* control.failNext("missing_permissions")
      const refused = yield* Effect.flip(discord.revoke(change(guildId, memberId)))
      assert.isFalse(refused.retryable)
      assert.match(refused.remediation, /Manage Roles.*above the paid role/)
      assert.deepStrictEqual(yield* control.counts, { grants: 1, revokes: 0 })
    }).pipe(Effect.provide(DiscordRolesMemory)))

  it.effect("a member who leaves has no roles any more and is refused as unknown", () =>
    Effect.gen(function*() {
      const discord = yield* DiscordRoles
      const control = yield* DiscordRolesMemoryControl
      const { guildId, memberId } = yield* memberFixture
      yield* control.addMember(guildId, memberId, [other])
      assert.deepStrictEqual(yield* discord.memberRoles(guildId, memberId), Option.some([other]))
      yield* control.removeMember(guildId, memberId)
      assert.deepStrictEqual(yield* discord.memberRoles(guildId, memberId), Option.none())
      const error = yield* Effect.flip(discord.grant(change(guildId, memberId)))
      assert.strictEqual(error.reason, "unknown_member")
    }).pipe(Effect.provide(DiscordRolesMemory)))
})
