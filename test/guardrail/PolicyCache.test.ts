import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option, Queue, TestClock } from "effect"
import { allGuilds, FeatureRegistry, PlanCatalog, PolicyCache } from "../../core/index.js"
import { testPolicyStore } from "./doubles.js"
import { at, guildId, otherGuildId, override, registry, source } from "./fixtures.js"

const withCache = <A>(
  body: (store: Effect.Effect.Success<typeof testPolicyStore>) => Effect.Effect<A, never, PolicyCache>
) =>
  Effect.gen(function*() {
    const store = yield* testPolicyStore
    store.sources.set(guildId, source())
    store.sources.set(otherGuildId, source({ guildId: otherGuildId }))
    return yield* Effect.provide(
      body(store),
      PolicyCache.layer.pipe(
        Layer.provide(Layer.mergeAll(store.layer, PlanCatalog.builtin, Layer.succeed(FeatureRegistry, registry)))
      )
    )
  })

const get = (id: typeof guildId) => Effect.flatMap(PolicyCache, (cache) => cache.get(id))

/** Lets the cache's change subscriber run until `done` holds (it runs in a fiber of its own). */
const until = (done: Effect.Effect<boolean, never, PolicyCache>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 1_000 && !(yield* done); i++) yield* Effect.yieldNow()
  })
const cacheSize = Effect.flatMap(PolicyCache, (cache) => cache.size)

describe("PolicyCache", () => {
  it.effect("a hit does not load again", () =>
    withCache((store) =>
      Effect.gen(function*() {
        const first = yield* get(guildId)
        const second = yield* get(guildId)
        expect(Option.getOrThrow(first)).toBe(Option.getOrThrow(second))
        expect(store.state.loads).toBe(1)
      })
    ))

  it.effect("concurrent misses for one guild load once", () =>
    withCache((store) =>
      Effect.gen(function*() {
        const gate = yield* Deferred.make<void>()
        store.state.gate = Option.some(gate)
        const fibers = yield* Effect.forEach(Array.from({ length: 20 }), () => Effect.fork(get(guildId)))
        yield* until(Effect.succeed(store.state.loads > 0))
        yield* Deferred.succeed(gate, undefined)
        const results = yield* Effect.forEach(fibers, Fiber.join)
        expect(store.state.loads).toBe(1)
        expect(new Set(results.map(Option.getOrThrow)).size).toBe(1)
      })
    ))

  it.effect("a change drops the guild's snapshot, and only that guild's", () =>
    withCache((store) =>
      Effect.gen(function*() {
        yield* get(guildId)
        yield* get(otherGuildId)
        store.sources.set(guildId, source({ version: 2 }))
        yield* Queue.offer(store.changes, guildId)
        yield* until(Effect.map(cacheSize, (size) => size === 1))
        const reloaded = yield* get(guildId)
        expect(Option.getOrThrow(reloaded).version).toBe(2)
        yield* get(otherGuildId)
        expect(store.state.loads).toBe(3)
      })
    ))

  it.effect("the all-guilds change drops everything", () =>
    withCache((store) =>
      Effect.gen(function*() {
        yield* get(guildId)
        yield* get(otherGuildId)
        yield* Queue.offer(store.changes, allGuilds)
        yield* until(Effect.map(cacheSize, (size) => size === 0))
        expect(yield* cacheSize).toBe(0)
      })
    ))

  it.effect("a load overtaken by a change answers its caller but is not kept", () =>
    withCache((store) =>
      Effect.gen(function*() {
        const gate = yield* Deferred.make<void>()
        store.state.gate = Option.some(gate)
        const loading = yield* Effect.fork(get(guildId))
        yield* until(Effect.succeed(store.state.loads > 0))
        yield* Queue.offer(store.changes, guildId)
        yield* until(Effect.succeed(store.changes.unsafeSize().pipe(Option.getOrElse(() => 0)) === 0))
        yield* Effect.yieldNow()
        yield* Deferred.succeed(gate, undefined)
        expect(Option.isSome(yield* Fiber.join(loading))).toBe(true)
        store.state.gate = Option.none()
        yield* get(guildId)
        expect(store.state.loads).toBe(2)
      })
    ))

  it.effect("a snapshot is not served past its validUntil (an override expired)", () =>
    withCache((store) =>
      Effect.gen(function*() {
        store.sources.set(
          guildId,
          source({ planKey: "free", overrides: [override({ planKey: "premium", expiresAt: at(60_000) })] })
        )
        const first = Option.getOrThrow(yield* get(guildId))
        expect(first.entitlements.planKey).toBe("premium")
        expect(first.validUntil).toEqual(at(60_000))
        yield* TestClock.adjust("59 seconds")
        yield* get(guildId)
        expect(store.state.loads).toBe(1)
        yield* TestClock.adjust("1 second")
        const rebuilt = Option.getOrThrow(yield* get(guildId))
        expect(store.state.loads).toBe(2)
        expect(rebuilt.entitlements.planKey).toBe("free")
        expect(rebuilt.validUntil).toBeNull()
      })
    ))

  it.effect("an uninstalled guild is None and not cached", () =>
    withCache((store) =>
      Effect.gen(function*() {
        store.sources.delete(guildId)
        expect(Option.isNone(yield* get(guildId))).toBe(true)
        expect(yield* cacheSize).toBe(0)
      })
    ))
})

describe("PolicyCache layers", () => {
  it.effect("two layers share no state: each compiles into an arena of its own", () =>
    Effect.gen(function*() {
      const store = yield* testPolicyStore
      store.sources.set(guildId, source())
      const layer = PolicyCache.layer.pipe(
        Layer.provide(Layer.mergeAll(store.layer, PlanCatalog.builtin, Layer.succeed(FeatureRegistry, registry)))
      )
      const inOne = Effect.gen(function*() {
        const cache = yield* PolicyCache
        const before = yield* cache.tableStats
        const policy = Option.getOrThrow(yield* cache.policy(guildId))
        return { before, after: yield* cache.tableStats, policy }
      })
      const first = yield* Effect.provide(inOne, layer)
      const second = yield* Effect.provide(inOne, layer)
      // A fresh layer starts empty, whatever another layer compiled before it.
      expect(second.before).toEqual({ chunks: 0, liveWords: 0 })
      expect(second.after).toEqual(first.after)
      expect(second.policy).not.toBe(first.policy)
      expect(second.policy.decisionWords).not.toBe(first.policy.decisionWords)
      expect(second.policy.snapshot).toEqual(first.policy.snapshot)
    }))
})
