import { Schema, Struct } from "effect"
import { ApiKeyRecord } from "../../../core/index.js"

/** A key as the API shows it: everything but the stored hash. */
export const ApiKeyView = Schema.Struct(Struct.omit(ApiKeyRecord.fields, "secretHash")).annotations({
  identifier: "ApiKey"
})
export type ApiKeyView = typeof ApiKeyView.Type

/** A freshly issued key: the only response that ever carries the key itself. */
export const IssuedApiKeyView = Schema.Struct({
  ...Struct.omit(ApiKeyRecord.fields, "secretHash", "revokedAt"),
  key: Schema.String.annotations({ description: "The API key. Shown only in this response: store it now." })
}).annotations({ identifier: "IssuedApiKey" })

export const toApiKeyView = (record: ApiKeyRecord): ApiKeyView => Struct.omit(record, "secretHash")
