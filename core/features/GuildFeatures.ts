import { Context, Effect, Layer, Option } from "effect"
import type { GuildId, TenantId } from "../ids.js"
import type { Entitlements } from "../plans/Entitlements.js"
import { GuildEntitlements } from "../plans/GuildEntitlements.js"
import { PlanCatalog } from "../plans/PlanCatalog.js"
import { GuildFeatureRepo } from "../ports/GuildFeatureRepo.js"
import { GuildRepo } from "../ports/GuildRepo.js"
import { TenantRepo } from "../ports/TenantRepo.js"
import { GuildNotFound, TenantNotFound, TenantNotWritable } from "../tenancy/errors.js"
import { acceptsWrites } from "../tenancy/Tenant.js"
import { FeatureAlwaysOn, FeatureHookFailed, FeatureNotFound, FeatureNotInPlan } from "./errors.js"
import type { FeatureDefinition } from "./Feature.js"
import { FeatureRegistry } from "./FeatureRegistry.js"
import {
  type ConfigMigrationMissing,
  encodeFeatureConfig,
  type InvalidFeatureConfig,
  readFeatureConfig,
  validateFeatureConfig
} from "./readFeatureConfig.js"

/** A feature as one guild has it: whether it is on, whether the plan includes it, and its current config. */
export interface GuildFeatureView {
  readonly key: string
  readonly name: string
  readonly description: string
  readonly requires: string | null
  readonly access: FeatureDefinition["access"]
  readonly enabled: boolean
  readonly inPlan: boolean
  readonly config: unknown
}

export const isInPlan = (feature: FeatureDefinition, entitlements: Entitlements): boolean =>
  feature.requires === null || entitlements.features.has(feature.requires)

const make = Effect.gen(function*() {
  const registry = yield* FeatureRegistry
  const states = yield* GuildFeatureRepo
  const guilds = yield* GuildRepo
  const tenants = yield* TenantRepo
  const entitlementsOf = yield* GuildEntitlements
  const catalog = yield* PlanCatalog

  const featureOf = (key: string) => {
    const feature = registry.feature(key)
    return feature
      ? Effect.succeed(feature)
      : Effect.fail(FeatureNotFound.of(key, registry.features.map((f) => f.key)))
  }

  const requireGuild = (tenantId: TenantId, guildId: GuildId) =>
    Effect.flatMap(
      guilds.find(tenantId, guildId),
      Option.match({ onNone: () => Effect.fail(GuildNotFound.of(guildId)), onSome: Effect.succeed })
    )

  const storedState = (tenantId: TenantId, guildId: GuildId, key: string) =>
    Effect.map(states.list(tenantId, guildId), (all) => all.find((state) => state.featureKey === key))

  const list = (tenantId: TenantId, guildId: GuildId) =>
    Effect.gen(function*() {
      yield* requireGuild(tenantId, guildId)
      const entitlements = yield* entitlementsOf.resolve(tenantId, guildId)
      const stored = new Map((yield* states.list(tenantId, guildId)).map((state) => [state.featureKey, state]))
      return yield* Effect.forEach(registry.features, (feature) =>
        Effect.gen(function*() {
          const state = stored.get(feature.key)
          const config = yield* readFeatureConfig(
            feature,
            state?.config,
            state?.configVersion ?? feature.config.version
          )
          return {
            key: feature.key,
            name: feature.name,
            description: feature.description,
            requires: feature.requires,
            access: feature.access,
            enabled: feature.access === "essential" || (state?.enabled ?? false),
            inPlan: isInPlan(feature, entitlements),
            config: yield* encodeFeatureConfig(feature, config)
          } satisfies GuildFeatureView
        }))
    })

  const runHook = (
    feature: FeatureDefinition,
    hook: "onEnable" | "onDisable",
    context: { tenantId: TenantId; guildId: GuildId; config: unknown }
  ) =>
    (feature[hook]?.(context) ?? Effect.void).pipe(
      Effect.mapError((cause) =>
        new FeatureHookFailed({
          featureKey: feature.key,
          hook,
          message: `${feature.name}: ${hook} failed: ${String(cause)}`
        })
      )
    )

  /**
   * Turns a feature on in a guild with the stored config (or the defaults),
   * with the fields of `incoming` merged in. The plan must include it and the tenant must accept writes;
   * the toggle is stored only after the feature's onEnable hook succeeds.
   */
  const enable = (tenantId: TenantId, guildId: GuildId, key: string, incoming: Option.Option<unknown>) =>
    Effect.gen(function*() {
      const feature = yield* featureOf(key)
      yield* requireGuild(tenantId, guildId)
      const tenant = yield* Effect.flatMap(
        tenants.findById(tenantId),
        Option.match({ onNone: () => Effect.fail(TenantNotFound.of(tenantId)), onSome: Effect.succeed })
      )
      if (!acceptsWrites(tenant)) return yield* TenantNotWritable.of(tenantId, tenant.status)
      const entitlements = yield* entitlementsOf.resolve(tenantId, guildId)
      if (!isInPlan(feature, entitlements)) {
        const upgrade = Option.map(catalog.firstPlanWith(feature.requires!), (plan) => plan.name)
        return yield* new FeatureNotInPlan({
          featureKey: key,
          planKey: entitlements.planKey,
          message: `${feature.name} is not included in the '${entitlements.planKey}' plan`,
          remediation: Option.match(upgrade, {
            onNone: () => "Ask the operator to grant it to your tenant",
            onSome: (name) => `Upgrade to the ${name} plan (an admin can run /upgrade), then enable it again`
          })
        })
      }
      const stored = yield* storedState(tenantId, guildId, key)
      const current = yield* readFeatureConfig(
        feature,
        stored?.config,
        stored?.configVersion ?? feature.config.version
      )
      // What was given is merged into the config in force: a field left out keeps its value.
      const config = Option.isSome(incoming) ? yield* validateFeatureConfig(feature, incoming.value, current) : current
      yield* runHook(feature, "onEnable", { tenantId, guildId, config })
      yield* states.set(tenantId, guildId, {
        featureKey: key,
        enabled: true,
        config: yield* encodeFeatureConfig(feature, config),
        configVersion: feature.config.version
      })
      yield* Effect.logInfo("feature enabled").pipe(Effect.annotateLogs({ tenantId, guildId, feature: key }))
      return yield* Effect.map(list(tenantId, guildId), (views) => views.find((view) => view.key === key)!)
    })

  /** Turns a feature off, keeping its config for the next enable. Essential features stay on. */
  const disable = (tenantId: TenantId, guildId: GuildId, key: string) =>
    Effect.gen(function*() {
      const feature = yield* featureOf(key)
      if (feature.access === "essential") return yield* FeatureAlwaysOn.of(key)
      yield* requireGuild(tenantId, guildId)
      const stored = yield* storedState(tenantId, guildId, key)
      const config = yield* readFeatureConfig(feature, stored?.config, stored?.configVersion ?? feature.config.version)
      yield* runHook(feature, "onDisable", { tenantId, guildId, config })
      yield* states.set(tenantId, guildId, {
        featureKey: key,
        enabled: false,
        config: yield* encodeFeatureConfig(feature, config),
        configVersion: feature.config.version
      })
      yield* Effect.logInfo("feature disabled").pipe(Effect.annotateLogs({ tenantId, guildId, feature: key }))
      return yield* Effect.map(list(tenantId, guildId), (views) => views.find((view) => view.key === key)!)
    })

  return { list, enable, disable } as const
})

/** A stored config that cannot be read (invalid, or written by a version with no migration to this one). */
type UnreadableConfig = InvalidFeatureConfig | ConfigMigrationMissing

/** Feature toggles and configs per guild, as guild admins manage them. */
export interface GuildFeaturesService {
  /** Every registered feature as the guild has it. */
  readonly list: (
    tenantId: TenantId,
    guildId: GuildId
  ) => Effect.Effect<Array<GuildFeatureView>, TenantNotFound | GuildNotFound | UnreadableConfig>
  /** Turns the feature on with its config in force, `incoming`'s fields merged in; the plan must include it. */
  readonly enable: (
    tenantId: TenantId,
    guildId: GuildId,
    key: string,
    incoming: Option.Option<unknown>
  ) => Effect.Effect<
    GuildFeatureView,
    | TenantNotFound
    | GuildNotFound
    | TenantNotWritable
    | FeatureNotFound
    | FeatureNotInPlan
    | FeatureHookFailed
    | UnreadableConfig
  >
  /** Turns the feature off, keeping its config. Essential features stay on. */
  readonly disable: (
    tenantId: TenantId,
    guildId: GuildId,
    key: string
  ) => Effect.Effect<
    GuildFeatureView,
    TenantNotFound | GuildNotFound | FeatureNotFound | FeatureAlwaysOn | FeatureHookFailed | UnreadableConfig
  >
}

export class GuildFeatures extends Context.Tag("core/GuildFeatures")<GuildFeatures, GuildFeaturesService>() {
  static readonly layer = Layer.effect(GuildFeatures, make)
}
