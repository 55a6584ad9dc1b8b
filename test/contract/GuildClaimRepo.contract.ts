import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import {
  GuildClaim,
  GuildClaimRepo,
  type GuildId,
  PlatformSettingsRepo,
  type TenantId,
  TenantRepo,
  UnclaimedGuild
} from "../../core/index.js"
import { at, makeTenant, newGuildId, ownerId } from "../support/fixtures.js"
import type { Store } from "../support/stores.js"

export type GuildClaimPorts = GuildClaimRepo | TenantRepo | PlatformSettingsRepo

const newTenant = Effect.flatMap(TenantRepo, (tenants) => {
  const tenant = makeTenant()
  return Effect.as(tenants.insert(tenant), tenant.id)
})

const claimOf = (tenantId: TenantId, guildId: GuildId, claimedAt: number, expiresAt: number) =>
  GuildClaim.make({ tenantId, guildId, claimedAt: at(claimedAt), expiresAt: at(expiresAt) })

const sighting = (guildId: GuildId, name: string, seenAt: number) =>
  UnclaimedGuild.make({ guildId, name, ownerId, seenAt: at(seenAt) })

export const guildClaimRepoContract = (store: Store<GuildClaimPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`GuildClaimRepo on ${store.name}`, (it) => {
    it.effect("the newest unexpired claim on a guild wins, whichever tenant made it", () =>
      Effect.gen(function*() {
        const claims = yield* GuildClaimRepo
        const [first, second] = [yield* newTenant, yield* newTenant]
        const guildId = newGuildId()
        assert.isTrue(Option.isNone(yield* claims.pendingClaim(guildId, at(0))))

        yield* claims.putClaim(claimOf(first, guildId, 1_000, 10_000))
        yield* claims.putClaim(claimOf(second, guildId, 2_000, 5_000))
        yield* claims.putClaim(claimOf(second, newGuildId(), 3_000, 10_000))
        assert.deepStrictEqual(
          yield* claims.pendingClaim(guildId, at(4_000)),
          Option.some(claimOf(second, guildId, 2_000, 5_000))
        )
        // The second tenant's claim has expired (expiry is exclusive): the first's applies again.
        assert.deepStrictEqual(
          yield* claims.pendingClaim(guildId, at(5_000)),
          Option.some(claimOf(first, guildId, 1_000, 10_000))
        )
        assert.isTrue(Option.isNone(yield* claims.pendingClaim(guildId, at(10_000))))
      }))

    it.effect("a tenant's new claim on the same guild replaces its earlier one", () =>
      Effect.gen(function*() {
        const claims = yield* GuildClaimRepo
        const tenantId = yield* newTenant
        const guildId = newGuildId()
        yield* claims.putClaim(claimOf(tenantId, guildId, 1_000, 2_000))
        yield* claims.putClaim(claimOf(tenantId, guildId, 3_000, 9_000))
        assert.deepStrictEqual(
          yield* claims.pendingClaim(guildId, at(2_500)),
          Option.some(claimOf(tenantId, guildId, 3_000, 9_000))
        )
      }))

    it.effect("deleteClaims drops every tenant's claim on the guild and no other", () =>
      Effect.gen(function*() {
        const claims = yield* GuildClaimRepo
        const [first, second] = [yield* newTenant, yield* newTenant]
        const [guildId, other] = [newGuildId(), newGuildId()]
        yield* claims.putClaim(claimOf(first, guildId, 1_000, 9_000))
        yield* claims.putClaim(claimOf(second, guildId, 2_000, 9_000))
        yield* claims.putClaim(claimOf(first, other, 1_000, 9_000))
        yield* claims.deleteClaims(guildId)
        assert.isTrue(Option.isNone(yield* claims.pendingClaim(guildId, at(0))))
        assert.isTrue(Option.isSome(yield* claims.pendingClaim(other, at(0))))
      }))

    it.effect("purgeExpiredClaims drops the claims expired at that instant and counts them", () =>
      Effect.gen(function*() {
        const claims = yield* GuildClaimRepo
        const tenantId = yield* newTenant
        const [expired, live] = [newGuildId(), newGuildId()]
        // Other tests' claims expire by 10_000; this instant is earlier than all of them but these.
        yield* claims.putClaim(claimOf(tenantId, expired, 0, 50))
        yield* claims.putClaim(claimOf(tenantId, live, 0, 100))
        assert.strictEqual(yield* claims.purgeExpiredClaims(at(50)), 1)
        assert.isTrue(Option.isNone(yield* claims.pendingClaim(expired, at(0))))
        assert.isTrue(Option.isSome(yield* claims.pendingClaim(live, at(0))))
      }))

    it.effect("markUnclaimed records a guild once, keeps its first sighting, and refreshes name and owner", () =>
      Effect.gen(function*() {
        const claims = yield* GuildClaimRepo
        const guildId = newGuildId()
        const first = yield* claims.markUnclaimed(sighting(guildId, "Lobby", 1_000))
        assert.isTrue(first.firstSeen)
        assert.deepStrictEqual(first.guild, sighting(guildId, "Lobby", 1_000))

        const again = yield* claims.markUnclaimed(sighting(guildId, "Renamed", 5_000))
        assert.isFalse(again.firstSeen)
        assert.deepStrictEqual(again.guild, sighting(guildId, "Renamed", 1_000))
        assert.deepStrictEqual(yield* claims.findUnclaimed(guildId), Option.some(sighting(guildId, "Renamed", 1_000)))

        yield* claims.deleteUnclaimed(guildId)
        assert.isTrue(Option.isNone(yield* claims.findUnclaimed(guildId)))
        assert.isTrue((yield* claims.markUnclaimed(sighting(guildId, "Back", 9_000))).firstSeen)
      }))

    it.effect("listUnclaimed answers the oldest sightings first, up to the limit", () =>
      Effect.gen(function*() {
        const claims = yield* GuildClaimRepo
        const ids = [newGuildId(), newGuildId(), newGuildId()] as const
        // Far in the past, so these come before every other test's sightings.
        yield* claims.markUnclaimed(sighting(ids[0], "Third", -1_000))
        yield* claims.markUnclaimed(sighting(ids[1], "First", -3_000))
        yield* claims.markUnclaimed(sighting(ids[2], "Second", -2_000))
        const listed = yield* claims.listUnclaimed(2)
        assert.deepStrictEqual(listed.map((guild) => guild.name), ["First", "Second"])
      }))

    it.effect("a platform setting keeps the first value stored, even under racing writers", () =>
      Effect.gen(function*() {
        const settings = yield* PlatformSettingsRepo
        const key = `test-${newGuildId()}`
        const answers = yield* Effect.all(
          ["a", "b", "c", "d"].map((candidate) => settings.getOrInsert(key, candidate)),
          { concurrency: "unbounded" }
        )
        assert.lengthOf(new Set(answers), 1)
        assert.strictEqual(yield* settings.getOrInsert(key, "later"), answers[0])
      }))
  })
