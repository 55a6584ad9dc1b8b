/** Kept in step with package.json by hand; printed by `guildhall --version` and the OpenAPI document. */
export const version = "0.1.0"
