/** The version of the HTTP API, published in the OpenAPI document. Bump it when the contract changes. */
export const apiVersion = "0.1.0"
