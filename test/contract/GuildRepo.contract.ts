import { assert, layer } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { GuildId, GuildRepo, type TenantId, TenantRepo } from "../../core/index.js"
import { at, install, makeTenant, newGuildId, newTenantId } from "../support/fixtures.js"
import type { Store } from "../support/stores.js"

const newTenant = (options: Parameters<typeof makeTenant>[0] = {}) =>
  Effect.flatMap(TenantRepo, (tenants) => {
    const tenant = makeTenant(options)
    return Effect.as(tenants.insert(tenant), tenant.id)
  })

const failureTag = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (error) => error._tag)

const statusOf = (tenantId: TenantId, guildId: GuildId) =>
  Effect.flatMap(GuildRepo, (guilds) => guilds.find(tenantId, guildId)).pipe(
    Effect.map(Option.map((guild) => guild.status))
  )

export const guildRepoContract = (store: Store<GuildRepo | TenantRepo>) =>
  layer(store.layer(), { timeout: 60_000 })(`GuildRepo on ${store.name}`, (it) => {
    it.effect("installs a new guild and reads it back", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const tenantId = yield* newTenant()
        const guildId = newGuildId()
        const outcome = yield* install({ tenantId, guildId, name: "Lobby", config: { locale: "vi" }, now: at(5_000) })
        assert.strictEqual(outcome._tag, "Installed")
        assert.deepStrictEqual(yield* guilds.find(tenantId, guildId), Option.some(outcome.guild))
        assert.deepStrictEqual(outcome.guild.installedAt, at(5_000))
        assert.deepStrictEqual(outcome.guild.config, { locale: "vi" })
      }))

    it.effect("installing an installed guild updates it without counting against the limit", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const tenantId = yield* newTenant({ planKey: "free" })
        const guildId = newGuildId()
        yield* install({ tenantId, guildId, name: "Old", config: { locale: "vi" } })
        const updated = yield* install({ tenantId, guildId, name: "New", now: at(9_000) })
        assert.strictEqual(updated._tag, "Updated")
        assert.strictEqual(updated.guild.name, "New")
        assert.deepStrictEqual(updated.guild.config, { locale: "vi" })
        assert.deepStrictEqual(updated.guild.installedAt, at(0))
        assert.deepStrictEqual(yield* guilds.find(tenantId, guildId), Option.some(updated.guild))
      }))

    it.effect("a removed guild is kept with its config and restored by a reinstall", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const tenantId = yield* newTenant()
        const guildId = newGuildId()
        yield* install({ tenantId, guildId, config: { timezone: "Asia/Ho_Chi_Minh" } })
        const removed = yield* guilds.remove(tenantId, guildId, at(7_000))
        assert.isTrue(Option.isSome(removed))
        const guild = Option.getOrThrow(removed)
        assert.strictEqual(guild.status, "removed")
        assert.deepStrictEqual(guild.removedAt, at(7_000))
        assert.deepStrictEqual(guild.config, { timezone: "Asia/Ho_Chi_Minh" })
        // Removing again changes nothing.
        assert.deepStrictEqual(yield* guilds.remove(tenantId, guildId, at(8_000)), removed)
        assert.deepStrictEqual(yield* guilds.find(tenantId, guildId), removed)

        const restored = yield* install({ tenantId, guildId, now: at(9_000) })
        assert.strictEqual(restored._tag, "Restored")
        assert.deepStrictEqual(restored.guild.config, { timezone: "Asia/Ho_Chi_Minh" })
        assert.strictEqual(restored.guild.removedAt, null)
        assert.deepStrictEqual(restored.guild.installedAt, at(9_000))
        yield* guilds.remove(tenantId, guildId, at(10_000))
        const replaced = yield* install({ tenantId, guildId, config: { locale: "fr" } })
        assert.deepStrictEqual(replaced.guild.config, { locale: "fr" })
      }))

    it.effect("removing an unknown guild is None", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const tenantId = yield* newTenant()
        assert.deepStrictEqual(yield* guilds.remove(tenantId, newGuildId(), at(1)), Option.none())
      }))

    it.effect("the plan's guild limit refuses one more, and a refused install writes nothing", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const tenantId = yield* newTenant({ planKey: "free" })
        yield* install({ tenantId, guildId: newGuildId() })
        const refused = newGuildId()
        assert.strictEqual(yield* failureTag(install({ tenantId, guildId: refused })), "GuildLimitReached")
        assert.deepStrictEqual(yield* guilds.find(tenantId, refused), Option.none())
        assert.deepStrictEqual(yield* guilds.findAnyTenant(refused), Option.none())
        // The refused guild was not claimed: another tenant can have it.
        assert.strictEqual((yield* install({ tenantId: yield* newTenant(), guildId: refused }))._tag, "Installed")
      }))

    it.effect("an unknown tenant cannot install; a suspended one is refused", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const guildId = newGuildId()
        assert.strictEqual(yield* failureTag(install({ tenantId: newTenantId(), guildId })), "TenantNotFound")
        const suspended = yield* newTenant({ status: "suspended" })
        assert.strictEqual(yield* failureTag(install({ tenantId: suspended, guildId })), "TenantNotWritable")
        assert.deepStrictEqual(yield* guilds.listByTenant(suspended), [])
        assert.deepStrictEqual(yield* guilds.findAnyTenant(guildId), Option.none())
      }))

    it.effect("a guild installed by one tenant cannot be claimed by another", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const [a, b] = [yield* newTenant(), yield* newTenant()]
        const guildId = newGuildId()
        const installed = yield* install({ tenantId: a, guildId })
        assert.strictEqual(yield* failureTag(install({ tenantId: b, guildId })), "GuildOwnedByAnotherTenant")
        assert.deepStrictEqual(yield* guilds.find(b, guildId), Option.none())
        assert.deepStrictEqual(yield* guilds.findAnyTenant(guildId), Option.some(installed.guild))
        // The other tenant cannot remove it either.
        assert.deepStrictEqual(yield* guilds.remove(b, guildId, at(1)), Option.none())
        assert.deepStrictEqual(yield* statusOf(a, guildId), Option.some("installed"))
      }))

    it.effect("removing frees the guild for another tenant; findAnyTenant prefers the installed row", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const [a, b] = [yield* newTenant(), yield* newTenant()]
        const guildId = newGuildId()
        yield* install({ tenantId: a, guildId })
        yield* guilds.remove(a, guildId, at(2_000))
        const taken = yield* install({ tenantId: b, guildId, now: at(1_000) })
        assert.strictEqual(taken._tag, "Installed")
        assert.deepStrictEqual(yield* guilds.findAnyTenant(guildId), Option.some(taken.guild))
        // Now the first tenant is refused, and its removed row stays as it was.
        assert.strictEqual(yield* failureTag(install({ tenantId: a, guildId })), "GuildOwnedByAnotherTenant")
        assert.deepStrictEqual(yield* statusOf(a, guildId), Option.some("removed"))
      }))

    it.effect("with no tenant holding it, findAnyTenant is the most recently removed row", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const [a, b] = [yield* newTenant(), yield* newTenant()]
        const guildId = newGuildId()
        yield* install({ tenantId: a, guildId })
        yield* guilds.remove(a, guildId, at(1_000))
        yield* install({ tenantId: b, guildId })
        const latest = yield* guilds.remove(b, guildId, at(3_000))
        assert.deepStrictEqual(yield* guilds.findAnyTenant(guildId), latest)
        assert.deepStrictEqual(yield* guilds.findAnyTenant(newGuildId()), Option.none())
      }))

    it.effect("lists the tenant's own guilds, installed and removed, by guild id", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const tenantId = yield* newTenant({ planKey: "enterprise" })
        const other = yield* newTenant({ planKey: "enterprise" })
        const ids = ["99999999999999999", "10000000000000000000", "55555555555555555"].map((id) => GuildId.make(id))
        for (const guildId of ids) yield* install({ tenantId, guildId })
        yield* install({ tenantId: other, guildId: newGuildId() })
        yield* guilds.remove(tenantId, ids[2]!, at(1))
        const listed = yield* guilds.listByTenant(tenantId)
        assert.deepStrictEqual(listed.map((guild) => guild.guildId), [...ids].sort())
        assert.deepStrictEqual(listed.map((guild) => guild.status), ["installed", "removed", "installed"])
      }))

    it.effect("concurrent installs of distinct guilds stop exactly at the plan's limit", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const tenantId = yield* newTenant({ planKey: "basic" }) // 3 guilds
        const results = yield* Effect.all(
          Array.from({ length: 20 }, () => Effect.either(install({ tenantId, guildId: newGuildId() }))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter(Either.isRight).length, 3)
        assert.deepStrictEqual(
          [...new Set(results.filter(Either.isLeft).map((result) => result.left._tag))],
          ["GuildLimitReached"]
        )
        const installed = (yield* guilds.listByTenant(tenantId)).filter((guild) => guild.status === "installed")
        assert.strictEqual(installed.length, 3)
      }))

    it.effect("concurrent installs of one guild by one tenant: one install, the rest updates", () =>
      Effect.gen(function*() {
        const tenantId = yield* newTenant({ planKey: "free" })
        const guildId = newGuildId()
        const outcomes = yield* Effect.all(
          Array.from({ length: 10 }, () => install({ tenantId, guildId })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(outcomes.map((outcome) => outcome._tag).sort(), [
          "Installed",
          ...Array.from({ length: 9 }, () => "Updated")
        ])
      }))

    it.effect("two tenants racing for one guild: exactly one wins", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        for (let round = 0; round < 5; round++) {
          const contenders = [yield* newTenant(), yield* newTenant(), yield* newTenant()]
          const guildId = newGuildId()
          const results = yield* Effect.all(
            contenders.map((tenantId) => Effect.either(install({ tenantId, guildId }))),
            { concurrency: "unbounded" }
          )
          const winners = results.filter(Either.isRight)
          assert.strictEqual(winners.length, 1)
          assert.deepStrictEqual(
            results.filter(Either.isLeft).map((result) => result.left._tag),
            ["GuildOwnedByAnotherTenant", "GuildOwnedByAnotherTenant"]
          )
          assert.deepStrictEqual(yield* guilds.findAnyTenant(guildId), Option.some(winners[0]!.right.guild))
        }
      }))

    it.effect("racing removal and a claim by another tenant never leaves the guild with two owners", () =>
      Effect.gen(function*() {
        const guilds = yield* GuildRepo
        const [a, b] = [yield* newTenant(), yield* newTenant()]
        const guildId = newGuildId()
        yield* install({ tenantId: a, guildId })
        const [, claim] = yield* Effect.all(
          [guilds.remove(a, guildId, at(1)), Effect.either(install({ tenantId: b, guildId }))],
          { concurrency: "unbounded" }
        )
        const statuses = [yield* statusOf(a, guildId), yield* statusOf(b, guildId)]
        if (Either.isRight(claim)) {
          assert.deepStrictEqual(statuses, [Option.some("removed"), Option.some("installed")])
        } else {
          assert.strictEqual(claim.left._tag, "GuildOwnedByAnotherTenant")
          assert.deepStrictEqual(statuses, [Option.some("removed"), Option.none()])
        }
      }))
  })
