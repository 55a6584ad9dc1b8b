import { Context, type Effect, type Option } from "effect"
import type { TenantId } from "../ids.js"
import type { PlanKey } from "../plans/Plan.js"
import type { Tenant, TenantStatus } from "../tenancy/Tenant.js"

export interface TenantRepoService {
  readonly insert: (tenant: Tenant) => Effect.Effect<void>
  readonly findById: (id: TenantId) => Effect.Effect<Option.Option<Tenant>>
  /**
   * Changes the tenant's status or plan (billing: read-only, a plan bought or
   * ended), bumping and announcing the policy version of every guild of the
   * tenant in the same transaction. None when there is no such tenant.
   */
  readonly update: (
    id: TenantId,
    changes: { readonly status?: TenantStatus; readonly planKey?: PlanKey }
  ) => Effect.Effect<Option.Option<Tenant>>
  /** Tenants in creation order, oldest first. */
  readonly list: (options: { readonly limit: number }) => Effect.Effect<ReadonlyArray<Tenant>>
}

export class TenantRepo extends Context.Tag("core/TenantRepo")<TenantRepo, TenantRepoService>() {}
