import { HttpApiBuilder } from "@effect/platform"
import { Effect, Redacted, Struct } from "effect"
import { ApiKeys } from "../../../core/index.js"
import { ensureCanActOn } from "../Access.js"
import { Api } from "../Api.js"
import { CurrentPrincipal } from "../Auth.js"
import { toApiKeyView } from "./ApiKeyView.js"

export const ApiKeysLive = HttpApiBuilder.group(Api, "apiKeys", (handlers) =>
  Effect.map(ApiKeys, (apiKeys) =>
    handlers
      .handle("issue", ({ path, payload }) =>
        ensureCanActOn(path.id).pipe(
          Effect.zipRight(apiKeys.issue({ _tag: "Tenant", tenantId: path.id }, payload.name)),
          Effect.map(({ key, record }) => ({
            ...Struct.omit(record, "secretHash", "revokedAt"),
            key: Redacted.value(key)
          }))
        ))
      .handle("revoke", ({ path }) =>
        CurrentPrincipal.pipe(
          Effect.flatMap((principal) => apiKeys.revoke(principal, path.id)),
          Effect.map(toApiKeyView)
        ))))
