import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import {
  GuildEntitlements,
  GuildFeatures,
  Quotas,
  Tenancy,
  type TenantId,
  TenantNotFound
} from "../../../core/index.js"
import { holderOf, tenantScope } from "../Access.js"
import { Api } from "../Api.js"
import { CurrentPrincipal } from "../Auth.js"
import { storedConfigMustDecode } from "../storedConfigMustDecode.js"
import { storedPlanMustExist } from "../storedPlanMustExist.js"
import { todayUtc } from "../Usage/Http.js"
import { toAssetView, toEntitlementsView } from "./AssetView.js"
import { TenantIdRequired } from "./TenantIdRequired.js"

/** The tenant an install is for: named by an operator; a tenant key's own (naming another answers 404). */
const installTarget = (requested: TenantId | undefined) =>
  Effect.flatMap(CurrentPrincipal, (principal): Effect.Effect<TenantId, TenantIdRequired | TenantNotFound> => {
    if (principal._tag === "Operator") {
      return requested === undefined ? Effect.fail(TenantIdRequired.instance) : Effect.succeed(requested)
    }
    return requested === undefined || requested === principal.tenantId
      ? Effect.succeed(principal.tenantId)
      : Effect.fail(TenantNotFound.of(requested))
  })

export const AssetsLive = HttpApiBuilder.group(Api, "assets", (handlers) =>
  Effect.gen(function*() {
    const tenancy = yield* Tenancy
    const features = yield* GuildFeatures
    const entitlements = yield* GuildEntitlements
    const quotas = yield* Quotas

    return handlers
      .handle("get", ({ path }) =>
        Effect.gen(function*() {
          const asset = yield* Effect.flatMap(tenantScope, (scope) => tenancy.getAsset(path.guildId, scope))
          const { tenantId } = asset.guild
          const today = yield* todayUtc
          const [guildFeatures, resolved, usageToday] = yield* Effect.all([
            features.list(tenantId, path.guildId),
            entitlements.resolve(tenantId, path.guildId),
            quotas.dailyUsage(tenantId, path.guildId, today, today)
          ])
          return {
            ...toAssetView(asset),
            features: guildFeatures,
            entitlements: toEntitlementsView(resolved),
            usageToday
          }
        }).pipe(storedPlanMustExist, storedConfigMustDecode))
      .handle("install", ({ path, payload }) =>
        installTarget(payload.tenantId).pipe(
          Effect.flatMap((tenantId) =>
            tenancy.installGuild({
              tenantId,
              guildId: path.guildId,
              name: payload.name,
              ownerId: payload.ownerId,
              config: payload.config
            })
          ),
          Effect.map(({ asset, outcome }) => ({ outcome, asset: toAssetView(asset) })),
          storedPlanMustExist
        ))
      .handle("remove", ({ path }) =>
        holderOf(path.guildId).pipe(
          Effect.flatMap((tenantId) => tenancy.removeGuild(tenantId, path.guildId)),
          Effect.map(toAssetView),
          storedPlanMustExist
        ))
  }))
