import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { ApiKeyId, ApiKeyName, TenantId } from "../../../core/index.js"
import { Authentication } from "../Auth.js"
import { ApiKeyNotFound, PayloadTooLarge, TenantNotFound } from "../shared/Errors.js"
import { ApiKeyView, IssuedApiKeyView } from "./ApiKeyView.js"

export const IssueApiKey = Schema.Struct({ name: ApiKeyName }).annotations({ identifier: "IssueApiKey" })

export class ApiKeysApi extends HttpApiGroup.make("apiKeys")
  .add(
    HttpApiEndpoint.post("issue", "/tenants/:id/api-keys")
      .setPath(Schema.Struct({ id: TenantId }))
      .setPayload(IssueApiKey)
      .addSuccess(IssuedApiKeyView, { status: 201 })
      .addError(TenantNotFound)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Issue a tenant API key")
      .annotate(
        OpenApi.Description,
        "Issues a key that acts on this tenant only. The key is in this response and nowhere else: only its hash is stored."
      )
  )
  .add(
    HttpApiEndpoint.del("revoke", "/api-keys/:id")
      .setPath(Schema.Struct({ id: ApiKeyId }))
      .addSuccess(ApiKeyView)
      .addError(ApiKeyNotFound)
      .annotate(OpenApi.Summary, "Revoke an API key")
      .annotate(OpenApi.Description, "A tenant key revokes its tenant's keys; an operator key any key.")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "API keys for tenants")
{}
