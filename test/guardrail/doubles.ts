import { Deferred, Effect, Layer, Option, Queue, Stream } from "effect"
import {
  type ConsumeRequest,
  type ConsumeResult,
  FeatureRegistry,
  Guardrail,
  type GuildId,
  type PolicyChange,
  type PolicySource,
  PolicyStore,
  QuotaStore
} from "../../core/index.js"
import { makeTestLayer } from "../support/makeTestLayer.js"
import { catalogLayer, registry } from "./fixtures.js"

/**
 * A QuotaStore that records every consume, grants unless `exhaust` answers
 * otherwise, and answers a repeated idempotency key as granted-duplicate.
 */
export const recordingQuotaStore = (
  exhaust: (request: ConsumeRequest) => ConsumeResult | undefined = () => undefined
) => {
  const calls: Array<ConsumeRequest> = []
  const granted = new Set<string>()
  const layer = makeTestLayer(QuotaStore)({
    consume: (request) =>
      Effect.sync((): ConsumeResult => {
        calls.push(request)
        if (granted.has(request.idempotencyKey)) return { _tag: "Granted", duplicate: true }
        const exhausted = exhaust(request)
        if (exhausted !== undefined) return exhausted
        granted.add(request.idempotencyKey)
        return { _tag: "Granted", duplicate: false }
      }),
    dailyUsage: () => Effect.succeed([]),
    currentUsage: () => Effect.succeed(0)
  })
  return { calls, granted, layer }
}

/**
 * A PolicyStore over a mutable map: counts loads, can hold them at a gate, and
 * announces changes through a queue (a queue keeps what is offered before the
 * cache's subscriber first pulls).
 */
export const testPolicyStore = Effect.gen(function*() {
  const sources = new Map<GuildId, PolicySource>()
  const changes = yield* Queue.unbounded<PolicyChange>()
  const state = { loads: 0, gate: Option.none<Deferred.Deferred<void>>() }
  const layer = Layer.succeed(PolicyStore, {
    load: (guildId) =>
      Effect.gen(function*() {
        state.loads++
        if (Option.isSome(state.gate)) yield* Deferred.await(state.gate.value)
        return Option.fromNullable(sources.get(guildId))
      }),
    changes: Stream.fromQueue(changes)
  })
  return { sources, changes, state, layer }
})

export const guardrailLayer = (policyStore: Layer.Layer<PolicyStore>, quotaStore: Layer.Layer<QuotaStore>) =>
  Guardrail.layer.pipe(
    Layer.provide(
      Layer.mergeAll(policyStore, quotaStore, catalogLayer, Layer.succeed(FeatureRegistry, registry))
    )
  )
