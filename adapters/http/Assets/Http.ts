import { HttpApiBuilder } from "@effect/platform"
import { Effect, Option } from "effect"
import { type GuildId, Tenancy, type TenantId, TenantNotFound } from "../../../core/index.js"
import { tenantScope } from "../Access.js"
import { Api } from "../Api.js"
import { CurrentPrincipal } from "../Auth.js"
import { storedPlanMustExist } from "../storedPlanMustExist.js"
import { toAssetView } from "./AssetView.js"
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

    /** The tenant holding the guild: the caller's own, or for the operator whichever tenant has (or last had) it. */
    const holderOf = (guildId: GuildId) =>
      Effect.flatMap(tenantScope, (scope) =>
        Option.match(scope, {
          onSome: (tenantId) => Effect.succeed(tenantId),
          onNone: () => Effect.map(tenancy.getAsset(guildId, Option.none()), (asset) => asset.guild.tenantId)
        }))

    return handlers
      .handle("get", ({ path }) =>
        tenantScope.pipe(
          Effect.flatMap((scope) => tenancy.getAsset(path.guildId, scope)),
          Effect.map(toAssetView),
          storedPlanMustExist
        ))
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
