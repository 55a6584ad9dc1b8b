import { Context, type Effect, type Option } from "effect"
import type { TenantId } from "../ids.js"
import type { Tenant } from "../tenancy/Tenant.js"

export interface TenantRepoService {
  readonly insert: (tenant: Tenant) => Effect.Effect<void>
  readonly findById: (id: TenantId) => Effect.Effect<Option.Option<Tenant>>
  /** Tenants in creation order, oldest first. */
  readonly list: (options: { readonly limit: number }) => Effect.Effect<ReadonlyArray<Tenant>>
}

export class TenantRepo extends Context.Tag("core/TenantRepo")<TenantRepo, TenantRepoService>() {}
