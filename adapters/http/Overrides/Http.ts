import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Overrides, Tenancy } from "../../../core/index.js"
import { Api } from "../Api.js"
import { asOperatorOn } from "../Policy.js"

export const HttpOverridesLive = HttpApiBuilder.group(Api, "overrides", (handlers) =>
  Effect.gen(function*() {
    const overrides = yield* Overrides
    const tenancy = yield* Tenancy

    return handlers
      .handle(
        "grant",
        asOperatorOn("grant overrides")(({ tenantId }, { payload }) =>
          Effect.zipRight(tenancy.getTenant(tenantId), overrides.grant({ ...payload, tenantId }))
        )
      )
      .handle(
        "list",
        asOperatorOn("list overrides")(({ tenantId }) =>
          Effect.zipRight(tenancy.getTenant(tenantId), overrides.list(tenantId))
        )
      )
      .handle(
        "revoke",
        asOperatorOn("revoke overrides")(({ tenantId }, { path }) => overrides.revoke(tenantId, path.overrideId))
      )
  }))
