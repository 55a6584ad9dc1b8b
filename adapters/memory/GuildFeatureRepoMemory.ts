import { Effect, Layer } from "effect"
import { GuildFeatureRepo, GuildNotFound } from "../../core/index.js"
import { guildKey, MemoryStore } from "./MemoryStore.js"
import { featureOrder } from "./ordering.js"
import { bumpGuild, writePolicy } from "./policyVersions.js"

export const GuildFeatureRepoMemory = Layer.effect(
  GuildFeatureRepo,
  Effect.map(MemoryStore, (store) => {
    const { tables } = store
    return GuildFeatureRepo.of({
      set: (tenantId, guildId, state) =>
        writePolicy(
          store,
          Effect.suspend(() => {
            if (!bumpGuild(tables, tenantId, guildId)) return Effect.fail(GuildNotFound.of(guildId))
            const key = guildKey(tenantId, guildId)
            const features = tables.guildFeatures.get(key) ?? new Map()
            const stored = {
              featureKey: state.featureKey,
              enabled: state.enabled,
              config: state.config,
              configVersion: state.configVersion
            }
            features.set(state.featureKey, stored)
            tables.guildFeatures.set(key, features)
            return Effect.succeed([stored, [guildId]] as const)
          })
        ),
      list: (tenantId, guildId) =>
        Effect.sync(() =>
          Array.from(tables.guildFeatures.get(guildKey(tenantId, guildId))?.values() ?? [])
            .sort(featureOrder)
        )
    })
  })
)
