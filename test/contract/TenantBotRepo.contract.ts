import { assert, layer } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { ApplicationId, type TenantBot, TenantBotRepo, TenantRepo } from "../../core/index.js"
import { at, makeTenant } from "../support/fixtures.js"
import type { Store } from "../support/stores.js"

export type TenantBotPorts = TenantRepo | TenantBotRepo

const appA = ApplicationId.make("500000000000000001")
const appB = ApplicationId.make("500000000000000002")
const tokenA = "MTAwMDAwMDAwMDAwMDAwMDAx.GaBcDe.first-secret-token-value_AAAA"
const tokenB = "MTAwMDAwMDAwMDAwMDAwMDAy.GhIjKl.second-secret-token-value_BBBB"

const newTenant = Effect.gen(function*() {
  const tenant = makeTenant({ planKey: "enterprise" })
  yield* (yield* TenantRepo).insert(tenant)
  return tenant.id
})

// Redacted values compare equal whatever they hide: compare what they hide.
const plain = (bot: TenantBot) => ({
  tenantId: bot.tenantId,
  applicationId: bot.applicationId,
  token: Redacted.value(bot.token),
  updatedAt: bot.updatedAt.epochMillis
})

export const tenantBotRepoContract = (store: Store<TenantBotPorts>) =>
  layer(store.layer(), { timeout: 60_000 })(`TenantBotRepo on ${store.name}`, (it) => {
    it.effect("stores, replaces, reads back and removes a tenant's bot", () =>
      Effect.gen(function*() {
        const repo = yield* TenantBotRepo
        const tenantId = yield* newTenant
        assert.isTrue(Option.isNone(yield* repo.get(tenantId)))

        yield* repo.put(tenantId, { applicationId: appA, token: Redacted.make(tokenA), updatedAt: at(1_000) })
        assert.deepStrictEqual(
          Option.map(yield* repo.get(tenantId), plain),
          Option.some({
            tenantId,
            applicationId: appA,
            token: tokenA,
            updatedAt: 1_000
          })
        )

        yield* repo.put(tenantId, { applicationId: appB, token: Redacted.make(tokenB), updatedAt: at(2_000) })
        assert.deepStrictEqual(
          Option.map(yield* repo.get(tenantId), plain),
          Option.some({
            tenantId,
            applicationId: appB,
            token: tokenB,
            updatedAt: 2_000
          })
        )

        assert.isTrue(yield* repo.remove(tenantId))
        assert.isTrue(Option.isNone(yield* repo.get(tenantId)))
        assert.isFalse(yield* repo.remove(tenantId))
      }))

    it.effect("a tenant neither reads nor removes another tenant's bot", () =>
      Effect.gen(function*() {
        const repo = yield* TenantBotRepo
        const mine = yield* newTenant
        const theirs = yield* newTenant
        yield* repo.put(mine, { applicationId: appA, token: Redacted.make(tokenA), updatedAt: at(1_000) })

        assert.isTrue(Option.isNone(yield* repo.get(theirs)))
        assert.isFalse(yield* repo.remove(theirs))
        assert.strictEqual(
          Option.map(yield* repo.get(mine), (bot) => Redacted.value(bot.token)).pipe(Option.getOrNull),
          tokenA
        )
      }))

    it.effect("lists every tenant's bot, by tenant id, for the runner", () =>
      Effect.gen(function*() {
        const repo = yield* TenantBotRepo
        const first = yield* newTenant
        const second = yield* newTenant
        const without = yield* newTenant
        yield* repo.put(second, { applicationId: appB, token: Redacted.make(tokenB), updatedAt: at(2_000) })
        yield* repo.put(first, { applicationId: appA, token: Redacted.make(tokenA), updatedAt: at(1_000) })

        const ours = (yield* repo.listAll()).filter((bot) => [first, second, without].includes(bot.tenantId))
        assert.deepStrictEqual(ours.map(plain), [
          { tenantId: first, applicationId: appA, token: tokenA, updatedAt: 1_000 },
          { tenantId: second, applicationId: appB, token: tokenB, updatedAt: 2_000 }
        ])
        const all = (yield* repo.listAll()).map((bot) => bot.tenantId)
        assert.deepStrictEqual(all, [...all].sort())

        yield* repo.remove(first)
        assert.deepStrictEqual(
          (yield* repo.listAll()).filter((bot) => [first, second].includes(bot.tenantId)).map((bot) => bot.tenantId),
          [second]
        )
      }))

    it.effect("the token never shows when a stored bot is printed or serialized", () =>
      Effect.gen(function*() {
        const repo = yield* TenantBotRepo
        const tenantId = yield* newTenant
        yield* repo.put(tenantId, { applicationId: appA, token: Redacted.make(tokenA), updatedAt: at(1_000) })
        const [stored] = (yield* repo.listAll()).filter((bot) => bot.tenantId === tenantId)
        const read = Option.getOrThrow(yield* repo.get(tenantId))
        for (const bot of [stored!, read]) {
          assert.notInclude(JSON.stringify(bot), "secret-token")
          assert.notInclude(String(bot), "secret-token")
          assert.notInclude(String(bot.token), "secret-token")
        }
      }))
  })
