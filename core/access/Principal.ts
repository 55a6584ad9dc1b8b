import { Data } from "effect"
import type { ApiKeyId, TenantId } from "../ids.js"

/** Who is calling: the operator (every tenant) or one tenant. */
export type Principal = Data.TaggedEnum<{
  Operator: { readonly keyId: ApiKeyId }
  TenantMember: { readonly keyId: ApiKeyId; readonly tenantId: TenantId }
}>
export const Principal = Data.taggedEnum<Principal>()

/** Whether the principal may see and act on the tenant's data. */
export const canActOn = (principal: Principal, tenantId: TenantId): boolean =>
  principal._tag === "Operator" || principal.tenantId === tenantId
