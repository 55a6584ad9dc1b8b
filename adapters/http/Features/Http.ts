import { HttpApiBuilder } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { FeatureCatalogRepo, GuildFeatures } from "../../../core/index.js"
import { Api } from "../Api.js"
import { forGuild } from "../Policy.js"
import type { ServedGroup } from "../ServedGroup.js"
import { storedConfigMustDecode } from "../storedConfigMustDecode.js"
import { type GuildFeaturesApi, toCatalogFeatureView } from "./Api.js"

export const HttpFeaturesLive = HttpApiBuilder.group(Api, "features", (handlers) =>
  Effect.map(
    FeatureCatalogRepo,
    (catalog) =>
      handlers.handle("catalog", () => Effect.map(catalog.list, (records) => records.map(toCatalogFeatureView)))
  ))

const guildFeaturesHandlers = (handlers: ServedGroup<typeof GuildFeaturesApi>) =>
  Effect.map(GuildFeatures, (features) =>
    handlers
      .handle(
        "list",
        forGuild(({ guildId, tenantId }) => features.list(tenantId, guildId).pipe(storedConfigMustDecode))
      )
      .handle(
        "enable",
        forGuild(({ guildId, tenantId }, { path, payload }) =>
          features.enable(
            tenantId,
            guildId,
            path.key,
            payload === null || payload.config === undefined ? Option.none() : Option.some(payload.config)
          )
        )
      )
      .handle(
        "disable",
        forGuild(({ guildId, tenantId }, { path }) =>
          features.disable(tenantId, guildId, path.key).pipe(storedConfigMustDecode)
        )
      ))

export const HttpGuildFeaturesLive = Layer.merge(
  HttpApiBuilder.group(Api, "guildFeatures", guildFeaturesHandlers),
  HttpApiBuilder.group(Api, "assetsFeatures", guildFeaturesHandlers)
)
