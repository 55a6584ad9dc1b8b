import { HttpApiBuilder } from "@effect/platform"
import { Effect, Redacted, Struct } from "effect"
import { ApiKeys } from "../../../core/index.js"
import { Api } from "../Api.js"
import { CurrentPrincipal } from "../Auth.js"
import { forTenant } from "../Policy.js"
import { toApiKeyView } from "./ApiKeyView.js"

export const HttpApiKeysLive = HttpApiBuilder.group(
  Api,
  "apiKeys",
  (handlers) =>
    Effect.map(ApiKeys, (apiKeys) =>
      handlers
        .handle(
          "issue",
          forTenant(({ tenantId }, { payload }) =>
            Effect.map(apiKeys.issue({ _tag: "Tenant", tenantId }, payload.name), ({ key, record }) => ({
              ...Struct.omit(record, "secretHash", "revokedAt"),
              key: Redacted.value(key)
            }))
          )
        )
        .handle("revoke", ({ path }) =>
          CurrentPrincipal.pipe(
            Effect.flatMap((principal) => apiKeys.revoke(principal, path.id)),
            Effect.map(toApiKeyView)
          )))
)
