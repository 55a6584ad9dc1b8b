import { assert, layer } from "@effect/vitest"
import { Effect, type Layer, Option } from "effect"
import { DiscordRoles, type GuildId, type RoleChange, type RoleId, type UserId } from "../../core/index.js"

/**
 * A guild to run the contract in: a member holding none of `roles`, a user
 * who is not a member, and two roles the bot may manage. The memory
 * implementation makes them up; the discord.js one will point at a test guild.
 */
export interface DiscordRolesFixture {
  readonly guildId: GuildId
  readonly memberId: UserId
  readonly nonMemberId: UserId
  readonly roles: readonly [RoleId, RoleId]
}

export interface DiscordRolesImplementation<R> {
  readonly name: string
  readonly layer: () => Layer.Layer<DiscordRoles | R>
  /** A fresh fixture for one test (its member holding none of the roles). */
  readonly fixture: Effect.Effect<DiscordRolesFixture, never, DiscordRoles | R>
}

const change = (fixture: DiscordRolesFixture, roleId: RoleId, userId = fixture.memberId): RoleChange => ({
  guildId: fixture.guildId,
  userId,
  roleId,
  reason: "guildhall contract test"
})

const rolesOf = (fixture: DiscordRolesFixture, userId = fixture.memberId) =>
  Effect.flatMap(DiscordRoles, (discord) => discord.memberRoles(fixture.guildId, userId))

/** Only the fixture's roles, sorted: a real member may hold others. */
const heldOf = (fixture: DiscordRolesFixture, roles: Option.Option<ReadonlyArray<RoleId>>) =>
  Option.map(roles, (held) => held.filter((role) => fixture.roles.includes(role)).sort())

export const discordRolesContract = <R>(implementation: DiscordRolesImplementation<R>) =>
  layer(implementation.layer(), { timeout: 60_000 })(`DiscordRoles on ${implementation.name}`, (it) => {
    it.effect("a granted role shows in the member's roles, once however often it is granted", () =>
      Effect.gen(function*() {
        const discord = yield* DiscordRoles
        const fixture = yield* implementation.fixture
        const [paid] = fixture.roles
        assert.deepStrictEqual(heldOf(fixture, yield* rolesOf(fixture)), Option.some([]))
        yield* discord.grant(change(fixture, paid))
        yield* discord.grant(change(fixture, paid))
        const held = yield* rolesOf(fixture)
        assert.deepStrictEqual(heldOf(fixture, held), Option.some([paid]))
        assert.strictEqual(Option.getOrThrow(held).filter((role) => role === paid).length, 1)
      }))

    it.effect("a revoked role is gone, the others stay; revoking one not held changes nothing", () =>
      Effect.gen(function*() {
        const discord = yield* DiscordRoles
        const fixture = yield* implementation.fixture
        const [paid, other] = fixture.roles
        yield* discord.grant(change(fixture, paid))
        yield* discord.grant(change(fixture, other))
        yield* discord.revoke(change(fixture, paid))
        assert.deepStrictEqual(heldOf(fixture, yield* rolesOf(fixture)), Option.some([other]))
        yield* discord.revoke(change(fixture, paid))
        assert.deepStrictEqual(heldOf(fixture, yield* rolesOf(fixture)), Option.some([other]))
      }))

    it.effect("a user who is not a member has no roles, and cannot be granted or revoked one", () =>
      Effect.gen(function*() {
        const discord = yield* DiscordRoles
        const fixture = yield* implementation.fixture
        const [paid] = fixture.roles
        assert.deepStrictEqual(yield* rolesOf(fixture, fixture.nonMemberId), Option.none())
        for (const attempt of [discord.grant, discord.revoke]) {
          const error = yield* Effect.flip(attempt(change(fixture, paid, fixture.nonMemberId)))
          assert.strictEqual(error.reason, "unknown_member")
          assert.isFalse(error.retryable)
          assert.isNotEmpty(error.remediation)
        }
      }))
  })
