import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Tenancy } from "../../../core/index.js"
import { Api } from "../Api.js"
import { ensureOperator, forTenant } from "../Policy.js"
import { toGuildView } from "../shared/Views.js"
import { storedPlanMustExist } from "../storedPlanMustExist.js"

export const HttpTenantsLive = HttpApiBuilder.group(Api, "tenants", (handlers) =>
  Effect.map(Tenancy, (tenancy) => {
    const listGuilds = forTenant(({ tenantId }) =>
      tenancy.listAssets(tenantId).pipe(Effect.map((assets) => assets.map(toGuildView)), storedPlanMustExist)
    )
    return handlers
      .handle(
        "create",
        ({ payload }) => Effect.zipRight(ensureOperator("create tenants"), tenancy.createTenant(payload))
      )
      .handle("get", forTenant(({ tenantId }) => tenancy.getTenant(tenantId)))
      .handle("listGuilds", listGuilds)
      .handle("listAssets", listGuilds)
  }))
