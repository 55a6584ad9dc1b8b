import { assert, describe, it, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option, Redacted } from "effect"
import { DiscordRolesLive, DiscordRolesRest, maxQueuedRateLimitMs } from "../../adapters/discord/index.js"
import { DiscordRoles, type RoleChange } from "../../core/index.js"
import { discordErrors, FakeDiscordRest } from "../support/fakes/FakeDiscordRest.js"
import { botToken, discordRolesOverFake, FakeDiscord, fakeGuild, paid } from "./restLayer.js"

const change = (
  guild: Effect.Effect.Success<typeof fakeGuild>,
  reason = "Paid role: Supporter — order #42"
): RoleChange => ({
  guildId: guild.guildId,
  userId: guild.memberId,
  roleId: paid,
  reason
})

/** The requests the fake received for this guild. */
const requestsFor = (guildId: string) =>
  Effect.map(FakeDiscord, (discord) => discord.requests.filter(({ path }) => path.includes(`/guilds/${guildId}/`)))

layer(discordRolesOverFake())("DiscordRolesRest against a fake Discord API", (it) => {
  it.effect("grants and revokes one role per call on the role route, with the bot token and the audit-log reason", () =>
    Effect.gen(function*() {
      const discord = yield* DiscordRoles
      const fake = yield* FakeDiscord
      const guild = yield* fakeGuild
      yield* discord.grant(change(guild))
      assert.deepStrictEqual(fake.rolesOf(guild.guildId, guild.memberId), [paid])
      yield* discord.revoke(change(guild, "Subscription ended"))
      assert.deepStrictEqual(fake.rolesOf(guild.guildId, guild.memberId), [])
      const route = `/api/v10/guilds/${guild.guildId}/members/${guild.memberId}/roles/${paid}`
      assert.deepStrictEqual(yield* requestsFor(guild.guildId), [
        {
          method: "PUT",
          path: route,
          authorization: `Bot ${botToken}`,
          auditLogReason: "Paid role: Supporter — order #42"
        },
        { method: "DELETE", path: route, authorization: `Bot ${botToken}`, auditLogReason: "Subscription ended" }
      ])
    }))

  const refusals = [
    [discordErrors.missingPermissions, "missing_permissions"],
    [discordErrors.missingAccess, "missing_access"],
    [discordErrors.unknownMember, "unknown_member"],
    [discordErrors.unknownRole, "unknown_role"]
  ] as const
  for (const [refusal, reason] of refusals) {
    it.effect(`Discord's ${refusal.code} (${refusal.message}) is ${reason}, final, and not retried`, () =>
      Effect.gen(function*() {
        const discord = yield* DiscordRoles
        const fake = yield* FakeDiscord
        const guild = yield* fakeGuild
        fake.refuseNext(refusal) // a retry would succeed: the single request shows there was none
        const error = yield* Effect.flip(discord.grant(change(guild)))
        assert.strictEqual(error.reason, reason)
        assert.isFalse(error.retryable)
        assert.isNotEmpty(error.remediation)
        assert.strictEqual((yield* requestsFor(guild.guildId)).length, 1)
      }))
  }

  it.effect("a 429 longer than REST may queue is rate_limited with Discord's retry-after, sent once", () =>
    Effect.gen(function*() {
      const discord = yield* DiscordRoles
      const fake = yield* FakeDiscord
      const guild = yield* fakeGuild
      fake.refuseNext({ kind: "rate_limited", retryAfterSeconds: 7 })
      const error = yield* Effect.flip(discord.revoke(change(guild)))
      assert.strictEqual(error.reason, "rate_limited")
      assert.isTrue(error.retryable)
      assert.isAtLeast(error.retryAfterMs ?? 0, 7_000)
      assert.isBelow(error.retryAfterMs ?? 0, 8_000)
      assert.strictEqual((yield* requestsFor(guild.guildId)).length, 1)
    }))

  it.effect("a 429 shorter than the bound is waited out by REST and the change goes through", () =>
    Effect.gen(function*() {
      const discord = yield* DiscordRoles
      const fake = yield* FakeDiscord
      const guild = yield* fakeGuild
      // Discord's retry-after header is whole seconds (here 1), still under the bound.
      assert.isBelow(1_000, maxQueuedRateLimitMs)
      fake.refuseNext({ kind: "rate_limited", retryAfterSeconds: 0.2 })
      yield* discord.grant(change(guild))
      assert.deepStrictEqual(fake.rolesOf(guild.guildId, guild.memberId), [paid])
      assert.strictEqual((yield* requestsFor(guild.guildId)).length, 2)
    }))

  it.effect("a 5xx is unavailable and retryable, left to the outbox (one request)", () =>
    Effect.gen(function*() {
      const discord = yield* DiscordRoles
      const fake = yield* FakeDiscord
      const guild = yield* fakeGuild
      fake.refuseNext({ kind: "server_error", status: 502 })
      const error = yield* Effect.flip(discord.grant(change(guild)))
      assert.deepStrictEqual([error.reason, error.retryable], ["unavailable", true])
      assert.strictEqual((yield* requestsFor(guild.guildId)).length, 1)
      fake.refuseNext({ kind: "error", status: 500, code: 0, message: "500: Internal Server Error" })
      const jsonError = yield* Effect.flip(discord.memberRoles(guild.guildId, guild.memberId))
      assert.strictEqual(jsonError.reason, "unavailable")
    }))

  it.effect("memberRoles: the member's roles, None for a non-member, refusals mapped", () =>
    Effect.gen(function*() {
      const discord = yield* DiscordRoles
      const fake = yield* FakeDiscord
      const guild = yield* fakeGuild
      fake.addMember(guild.guildId, guild.memberId, [paid])
      assert.deepStrictEqual(yield* discord.memberRoles(guild.guildId, guild.memberId), Option.some([paid]))
      assert.deepStrictEqual(yield* discord.memberRoles(guild.guildId, guild.nonMemberId), Option.none())
      fake.refuseNext(discordErrors.missingAccess)
      const error = yield* Effect.flip(discord.memberRoles(guild.guildId, guild.memberId))
      assert.strictEqual(error.reason, "missing_access")
    }))
})

describe("DiscordRolesRest failures outside Discord's answers", () => {
  it.scoped("a rejected token is missing_access (not retried: 401s count toward Cloudflare's ban)", () =>
    Effect.gen(function*() {
      const fake = yield* FakeDiscordRest.make({ token: botToken })
      const guildId = "100000000000000001"
      fake.addGuild(guildId, [paid])
      const discord = yield* Effect.provide(
        DiscordRoles,
        DiscordRolesRest({ token: Redacted.make("wrong-token"), apiBase: fake.apiBase })
      )
      const error = yield* Effect.flip(
        discord.grant({ guildId, userId: "200000000000000001", roleId: paid, reason: "x" } as RoleChange)
      )
      assert.deepStrictEqual([error.reason, error.retryable], ["missing_access", false])
      assert.strictEqual(fake.requests.length, 1)
    }))

  it.effect("a network failure is unavailable", () =>
    Effect.gen(function*() {
      const discord = yield* DiscordRoles
      const guild = { guildId: "100000000000000002", memberId: "200000000000000002" }
      const error = yield* Effect.flip(discord.memberRoles(guild.guildId as never, guild.memberId as never))
      assert.deepStrictEqual([error.reason, error.retryable], ["unavailable", true])
    }).pipe(Effect.provide(DiscordRolesRest({ token: Redacted.make(botToken), apiBase: "http://127.0.0.1:9/api" }))))
})

describe("DiscordRolesLive", () => {
  const withEnv = (env: Record<string, string>) =>
    Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

  for (const env of [{}, { DISCORD_TOKEN: "" }]) {
    it.effect(`without a token (${JSON.stringify(env)}) every call fails as unavailable, so role jobs wait`, () =>
      Effect.gen(function*() {
        const discord = yield* DiscordRoles
        const guildId = "100000000000000003" as never
        const userId = "200000000000000003" as never
        const error = yield* Effect.flip(discord.grant({ guildId, userId, roleId: paid, reason: "x" }))
        assert.deepStrictEqual([error.reason, error.retryable, error.retryAfterMs], ["unavailable", true, 300_000])
        assert.match(error.message, /DISCORD_TOKEN/)
        assert.strictEqual((yield* Effect.flip(discord.memberRoles(guildId, userId))).reason, "unavailable")
      }).pipe(Effect.provide(DiscordRolesLive.pipe(Layer.provide(withEnv(env))))))
  }

  it.scoped("with DISCORD_TOKEN and DISCORD_API_BASE it talks to that API", () =>
    Effect.gen(function*() {
      const fake = yield* FakeDiscordRest.make({ token: botToken })
      const guildId = "100000000000000004"
      const userId = "200000000000000004"
      fake.addGuild(guildId, [paid])
      fake.addMember(guildId, userId)
      const discord = yield* Effect.provide(
        DiscordRoles,
        DiscordRolesLive.pipe(Layer.provide(withEnv({ DISCORD_TOKEN: botToken, DISCORD_API_BASE: fake.apiBase })))
      )
      yield* discord.grant({ guildId, userId, roleId: paid, reason: "live" } as RoleChange)
      assert.deepStrictEqual(fake.rolesOf(guildId, userId), [paid])
    }))
})
