import { Context, type DateTime, type Effect, type Option } from "effect"
import type { ApiKeyRecord } from "../access/ApiKey.js"
import type { ApiKeyId, TenantId } from "../ids.js"

export interface ApiKeyRepoService {
  readonly insert: (record: ApiKeyRecord) => Effect.Effect<void>
  /** Unrevoked keys whose visible prefix is `prefix` (normally one). */
  readonly findActiveByPrefix: (prefix: string) => Effect.Effect<ReadonlyArray<ApiKeyRecord>>
  /** Whether any unrevoked operator key exists (first boot issues one when none does). */
  readonly hasActiveOperatorKey: Effect.Effect<boolean>
  /**
   * Revokes a key. With `tenantId`, only that tenant's keys are visible;
   * without, any key (operator). None when no such (visible) key exists.
   */
  readonly revoke: (
    id: ApiKeyId,
    at: DateTime.Utc,
    tenantId: Option.Option<TenantId>
  ) => Effect.Effect<Option.Option<ApiKeyRecord>>
}

export class ApiKeyRepo extends Context.Tag("core/ApiKeyRepo")<ApiKeyRepo, ApiKeyRepoService>() {}
