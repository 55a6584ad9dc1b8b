import { Context, DateTime, Deferred, Effect, Layer, Option, Stream } from "effect"
import { supervisedLoop } from "../background/supervisedLoop.js"
import { FeatureRegistry } from "../features/FeatureRegistry.js"
import type { GuildId } from "../ids.js"
import { PlanCatalog } from "../plans/PlanCatalog.js"
import { allGuilds, type PolicyChange, PolicyStore } from "../ports/PolicyStore.js"
import { type CompiledPolicy, makeDecisionEngine } from "./internal/DecisionTable.js"
import { buildSnapshot, isSnapshotCurrent, type PolicySnapshot } from "./PolicySnapshot.js"

export interface PolicyCacheService {
  /** The guild's snapshot: from memory, or loaded (one PolicyStore call) and built. None: the guild is not installed. */
  readonly get: (guildId: GuildId) => Effect.Effect<Option.Option<PolicySnapshot>>
  /** The guild's snapshot compiled for the guardrail's fast engine (`get`'s snapshot is its `snapshot`). */
  readonly policy: (guildId: GuildId) => Effect.Effect<Option.Option<CompiledPolicy>>
  /** Drops the guild's snapshot; the next `get` loads it again. PolicyStore.changes does this for every replica. */
  readonly invalidate: (guildId: GuildId) => Effect.Effect<void>
  /** Snapshots held, for metrics and tests. */
  readonly size: Effect.Effect<number>
  /** The decision tables' arena: chunks held and the words of live tables, for metrics and the benchmark. */
  readonly tableStats: Effect.Effect<{ readonly chunks: number; readonly liveWords: number }>
}

type Load = Deferred.Deferred<Option.Option<CompiledPolicy>>

/**
 * Per-guild policy snapshots in this process. Entries leave when the store
 * reports the guild changed, and are not served past their `validUntil` (an
 * add-on or override expired). Concurrent misses for one guild share one
 * load; a load overtaken by an invalidation answers its callers but is not
 * kept, since it may predate the change. Each snapshot is compiled for the
 * registry when it is loaded, into the decision engine this layer makes
 * when it is built (its arena and tables are this layer's alone).
 */
const make = Effect.gen(function*() {
  const store = yield* PolicyStore
  const catalog = yield* PlanCatalog
  const engine = makeDecisionEngine(yield* FeatureRegistry)
  const scope = yield* Effect.scope
  const snapshots = new Map<GuildId, CompiledPolicy>()
  const loading = new Map<GuildId, Load>()

  const invalidate = (guildId: GuildId) =>
    Effect.sync(() => {
      snapshots.delete(guildId)
      loading.delete(guildId)
    })

  const forget = (change: PolicyChange) =>
    change === allGuilds
      ? Effect.sync(() => {
        snapshots.clear()
        loading.clear()
      })
      : invalidate(change)

  // If the change feed breaks, nothing would ever be invalidated: drop everything and subscribe again (ADR 095).
  yield* supervisedLoop({ name: "policy cache invalidation" }, () =>
    store.changes.pipe(
      Stream.runForEach(forget),
      Effect.zipRight(Effect.dieMessage("the policy change feed ended")),
      Effect.ensuring(Effect.sync(() => snapshots.clear()))
    )).pipe(Effect.forkScoped)

  const load = (guildId: GuildId, pending: Load) =>
    store.load(guildId).pipe(
      Effect.flatMap((source) =>
        Effect.map(DateTime.now, (now) => Option.map(source, (s) => engine.compile(buildSnapshot(s, catalog, now))))
      ),
      Effect.tap((snapshot) =>
        Effect.sync(() => {
          if (loading.get(guildId) === pending && Option.isSome(snapshot)) snapshots.set(guildId, snapshot.value)
        })
      ),
      Effect.onExit((exit) =>
        Effect.sync(() => {
          if (loading.get(guildId) === pending) loading.delete(guildId)
        }).pipe(Effect.zipRight(Deferred.done(pending, exit)))
      )
    )

  const policy = (guildId: GuildId) =>
    Effect.gen(function*() {
      const cached = snapshots.get(guildId)
      if (cached !== undefined) {
        if (isSnapshotCurrent(cached.snapshot, yield* DateTime.now)) return Option.some(cached)
        snapshots.delete(guildId)
      }
      const inFlight = loading.get(guildId)
      if (inFlight !== undefined) return yield* Deferred.await(inFlight)
      const pending = yield* Deferred.make<Option.Option<CompiledPolicy>>()
      loading.set(guildId, pending)
      // Forked into the cache's scope: a caller that gives up does not cancel the load others wait on.
      yield* Effect.forkIn(load(guildId, pending), scope)
      return yield* Deferred.await(pending)
    })

  return {
    get: (guildId) => Effect.map(policy(guildId), Option.map((compiled) => compiled.snapshot)),
    policy,
    invalidate,
    size: Effect.sync(() => snapshots.size),
    tableStats: Effect.sync(engine.stats)
  } satisfies PolicyCacheService
})

export class PolicyCache extends Context.Tag("core/PolicyCache")<PolicyCache, PolicyCacheService>() {
  /** Subscribes to PolicyStore.changes for the layer's lifetime. */
  static readonly layer: Layer.Layer<PolicyCache, never, PolicyStore | PlanCatalog | FeatureRegistry> = Layer.scoped(
    PolicyCache,
    make
  )
}
