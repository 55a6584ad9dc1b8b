import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Overrides, Tenancy } from "../../../core/index.js"
import { ensureOperator } from "../Access.js"
import { Api } from "../Api.js"

export const OverridesLive = HttpApiBuilder.group(Api, "overrides", (handlers) =>
  Effect.gen(function*() {
    const overrides = yield* Overrides
    const tenancy = yield* Tenancy
    const operatorOn = (action: string, tenantId: Parameters<typeof tenancy.getTenant>[0]) =>
      Effect.zipRight(ensureOperator(action), tenancy.getTenant(tenantId))

    return handlers
      .handle("grant", ({ path, payload }) =>
        Effect.zipRight(
          operatorOn("grant overrides", path.id),
          overrides.grant({ ...payload, tenantId: path.id })
        ))
      .handle("list", ({ path }) => Effect.zipRight(operatorOn("list overrides", path.id), overrides.list(path.id)))
      .handle("revoke", ({ path }) =>
        Effect.zipRight(ensureOperator("revoke overrides"), overrides.revoke(path.id, path.overrideId)))
  }))
