import { HttpApiBuilder } from "@effect/platform"
import { Effect, Layer } from "effect"
import { GuildEntitlements, GuildFeatures, Quotas, Tenancy } from "../../../core/index.js"
import { Api } from "../Api.js"
import { forGuild, installingTenant } from "../Policy.js"
import type { ServedGroup } from "../ServedGroup.js"
import { todayUtc } from "../shared/Day.js"
import { toEntitlementsView, toGuildView } from "../shared/Views.js"
import { storedConfigMustDecode } from "../storedConfigMustDecode.js"
import { storedPlanMustExist } from "../storedPlanMustExist.js"
import type { GuildsApi } from "./Api.js"

const handlers = (group: ServedGroup<typeof GuildsApi>) =>
  Effect.gen(function*() {
    const tenancy = yield* Tenancy
    const features = yield* GuildFeatures
    const entitlements = yield* GuildEntitlements
    const quotas = yield* Quotas

    return group
      .handle(
        "get",
        forGuild(({ asset, guildId, tenantId }) =>
          Effect.gen(function*() {
            const today = yield* todayUtc
            const [guildFeatures, resolved, usageToday] = yield* Effect.all([
              features.list(tenantId, guildId),
              entitlements.resolve(tenantId, guildId),
              quotas.dailyUsage(tenantId, guildId, today, today)
            ])
            return {
              ...toGuildView(asset),
              features: guildFeatures,
              entitlements: toEntitlementsView(resolved),
              usageToday
            }
          }).pipe(storedPlanMustExist, storedConfigMustDecode)
        )
      )
      // Installing needs no access to the guild, only to the tenant it is installed for.
      .handle("install", ({ path, payload }) =>
        installingTenant(payload.tenantId).pipe(
          Effect.flatMap(({ tenantId }) =>
            tenancy.installGuild({
              tenantId,
              guildId: path.guildId,
              name: payload.name,
              ownerId: payload.ownerId,
              config: payload.config
            })
          ),
          Effect.map(({ asset, outcome }) => ({ outcome, asset: toGuildView(asset) })),
          storedPlanMustExist
        ))
      .handle(
        "remove",
        forGuild(({ guildId, tenantId }) =>
          tenancy.removeGuild(tenantId, guildId).pipe(Effect.map(toGuildView), storedPlanMustExist)
        )
      )
  })

export const HttpGuildsLive = Layer.merge(
  HttpApiBuilder.group(Api, "guilds", handlers),
  HttpApiBuilder.group(Api, "assets", handlers)
)
