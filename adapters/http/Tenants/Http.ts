import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Tenancy } from "../../../core/index.js"
import { ensureCanActOn, ensureOperator } from "../Access.js"
import { Api } from "../Api.js"
import { toAssetView } from "../Assets/AssetView.js"
import { storedPlanMustExist } from "../storedPlanMustExist.js"

export const TenantsLive = HttpApiBuilder.group(Api, "tenants", (handlers) =>
  Effect.map(Tenancy, (tenancy) =>
    handlers
      .handle(
        "create",
        ({ payload }) => Effect.zipRight(ensureOperator("create tenants"), tenancy.createTenant(payload))
      )
      .handle("get", ({ path }) => Effect.zipRight(ensureCanActOn(path.id), tenancy.getTenant(path.id)))
      .handle("listAssets", ({ path }) =>
        ensureCanActOn(path.id).pipe(
          Effect.zipRight(tenancy.listAssets(path.id)),
          Effect.map((assets) => assets.map(toAssetView)),
          storedPlanMustExist
        ))))
