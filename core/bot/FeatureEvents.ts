import { Context, Effect, Layer, Option } from "effect"
import type { GatewayEvent, GatewayEventTag } from "../features/Feature.js"
import { FeatureRegistry } from "../features/FeatureRegistry.js"
import { isInPlan } from "../features/GuildFeatures.js"
import { readFeatureConfig } from "../features/readFeatureConfig.js"
import { PolicyCache } from "../guardrail/PolicyCache.js"
import type { GuildId, TenantId } from "../ids.js"
import type { Entitlements } from "../plans/Entitlements.js"

/** What a feature's gateway handler is given: whose guild, the feature's config there, and what the plan allows. */
export interface FeatureEventContext {
  readonly tenantId: TenantId
  readonly guildId: GuildId
  /** The feature's config in this guild, decoded and migrated (the defaults when never set). */
  readonly config: unknown
  readonly entitlements: Entitlements
}

export type FeatureEventHandler<K extends GatewayEventTag = GatewayEventTag> = (
  event: Extract<GatewayEvent, { readonly _tag: K }>,
  context: FeatureEventContext
) => Effect.Effect<void, unknown>

export type FeatureEventHandlerSet = { readonly [K in GatewayEventTag]?: FeatureEventHandler<K> }

/** The features' gateway handlers by feature key (welcome greets, xp counts messages, ...). */
export class FeatureEventHandlers extends Context.Tag("core/FeatureEventHandlers")<
  FeatureEventHandlers,
  ReadonlyMap<string, FeatureEventHandlerSet>
>() {
  /** A layer from effects that each build one feature's handlers (yielding the services they use). */
  static layer<const Groups extends Readonly<Record<string, Effect.Effect<FeatureEventHandlerSet, unknown, unknown>>>>(
    groups: Groups
  ): Layer.Layer<
    FeatureEventHandlers,
    Effect.Effect.Error<Groups[keyof Groups]>,
    Effect.Effect.Context<Groups[keyof Groups]>
  > {
    // Each feature's error and requirements join the layer's (inference alone would take the first one's).
    const all = groups as Readonly<
      Record<
        string,
        Effect.Effect<
          FeatureEventHandlerSet,
          Effect.Effect.Error<Groups[keyof Groups]>,
          Effect.Effect.Context<Groups[keyof Groups]>
        >
      >
    >
    return Layer.effect(
      FeatureEventHandlers,
      Effect.map(Effect.all(all), (built) => new Map(Object.entries(built)))
    )
  }
}

const make = Effect.gen(function*() {
  const cache = yield* PolicyCache
  const registry = yield* FeatureRegistry
  const handlers = yield* FeatureEventHandlers

  /**
   * Delivers a gateway event to the handlers of the features that are in the
   * guild's plan and enabled there, from the cached policy snapshot (no
   * database read per message). A handler's failure is logged and never
   * reaches the gateway or the other handlers.
   */
  const dispatch = (event: GatewayEvent): Effect.Effect<void> =>
    Effect.gen(function*() {
      const snapshot = yield* cache.get(event.guildId)
      if (Option.isNone(snapshot)) return
      const { enabledFeatures, entitlements, featureStates, tenantId } = snapshot.value
      yield* Effect.forEach(handlers, ([key, set]) => {
        const handler = set[event._tag] as FeatureEventHandler | undefined
        const feature = registry.feature(key)
        if (handler === undefined || feature === undefined) return Effect.void
        if (!isInPlan(feature, entitlements)) return Effect.void
        if (feature.access !== "essential" && !enabledFeatures.has(key)) return Effect.void
        const state = featureStates.get(key)
        return readFeatureConfig(feature, state?.config, state?.configVersion ?? feature.config.version).pipe(
          Effect.flatMap((config) => handler(event, { tenantId, guildId: event.guildId, config, entitlements })),
          Effect.catchAllCause((cause) =>
            Effect.logWarning(`${key}: ${event._tag} handler failed`, cause).pipe(
              Effect.annotateLogs({ tenantId, guildId: event.guildId, feature: key })
            )
          )
        )
      }, { discard: true })
    }).pipe(Effect.withSpan("FeatureEvents.dispatch", { attributes: { event: event._tag } }))

  return { dispatch } as const
})

/** Gateway events to the features that handle them. */
export interface FeatureEventsService {
  /** To the handlers of the guild's enabled features in its plan; a handler's failure is logged, never raised. */
  readonly dispatch: (event: GatewayEvent) => Effect.Effect<void>
}

export class FeatureEvents extends Context.Tag("core/FeatureEvents")<FeatureEvents, FeatureEventsService>() {
  static readonly layer = Layer.effect(FeatureEvents, make)
}
