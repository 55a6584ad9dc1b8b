import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option } from "effect"
import { FeatureCatalogRepo, GuildFeatures } from "../../../core/index.js"
import { holderOf } from "../Access.js"
import { Api } from "../Api.js"
import { storedConfigMustDecode } from "../storedConfigMustDecode.js"
import { toCatalogFeatureView } from "./FeatureViews.js"

export const FeaturesLive = HttpApiBuilder.group(Api, "features", (handlers) =>
  Effect.gen(function*() {
    const features = yield* GuildFeatures
    const catalog = yield* FeatureCatalogRepo

    return handlers
      .handle("catalog", () => Effect.map(catalog.list, (records) => records.map(toCatalogFeatureView)))
      .handle("list", ({ path }) =>
        holderOf(path.guildId).pipe(
          Effect.flatMap((tenantId) => features.list(tenantId, path.guildId)),
          storedConfigMustDecode
        ))
      .handle("enable", ({ path, payload }) =>
        Effect.flatMap(
          holderOf(path.guildId),
          (tenantId) =>
            features.enable(
              tenantId,
              path.guildId,
              path.key,
              payload === null || payload.config === undefined ? Option.none() : Option.some(payload.config)
            )
        ))
      .handle("disable", ({ path }) =>
        holderOf(path.guildId).pipe(
          Effect.flatMap((tenantId) => features.disable(tenantId, path.guildId, path.key)),
          storedConfigMustDecode
        ))
  }))
