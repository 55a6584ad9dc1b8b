import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * Quotas: counters, the holds reservations keep on them, idempotency keys and
 * daily usage. Tenant-owned like every table since 0001 (tenant_id leads each
 * primary key) and isolated by the row-level security of 0003.
 *
 * Holds and idempotency keys are written by nearly every request and carry no
 * foreign key to tenants: its check would lock the tenant's row on each insert
 * and serialize a busy tenant's requests on it.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    -- One counter per meter, scope key (a tenant, guild or user id) and window
    -- (lifetime counters start at the epoch). used includes open holds.
    CREATE TABLE quota_counters (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      meter text NOT NULL,
      scope_key text NOT NULL,
      window_start timestamptz NOT NULL,
      resets_at timestamptz,
      used bigint NOT NULL CHECK (used >= 0),
      PRIMARY KEY (tenant_id, meter, scope_key, window_start)
    );
    CREATE INDEX quota_counters_resets_at_idx ON quota_counters (resets_at);

    -- A reservation is its holds, one per counter it charged, all expiring together.
    CREATE TABLE quota_holds (
      tenant_id uuid NOT NULL,
      reservation_id text NOT NULL,
      meter text NOT NULL,
      scope_key text NOT NULL,
      window_start timestamptz NOT NULL,
      guild_id text,
      amount bigint NOT NULL,
      limit_value bigint NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, reservation_id, meter, scope_key)
    );
    CREATE INDEX quota_holds_counter_idx ON quota_holds (tenant_id, meter, scope_key, window_start, expires_at);
    CREATE INDEX quota_holds_expires_at_idx ON quota_holds (expires_at);

    -- Granted requests by idempotency key (a denial leaves none, so a retry is decided afresh).
    CREATE TABLE quota_idempotency_keys (
      tenant_id uuid NOT NULL,
      idempotency_key text NOT NULL,
      reservation_id text,
      first_used_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, idempotency_key)
    );
    CREATE INDEX quota_idempotency_keys_first_used_at_idx ON quota_idempotency_keys (first_used_at);

    CREATE TABLE quota_daily_usage (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      guild_id text NOT NULL,
      day date NOT NULL,
      meter text NOT NULL,
      used bigint NOT NULL,
      PRIMARY KEY (tenant_id, guild_id, day, meter)
    );

    GRANT SELECT, INSERT, UPDATE, DELETE
      ON quota_counters, quota_holds, quota_idempotency_keys, quota_daily_usage TO guildhall_app;

    ${tenantIsolation("quota_counters")}
    ${tenantIsolation("quota_holds")}
    ${tenantIsolation("quota_idempotency_keys")}
    ${tenantIsolation("quota_daily_usage")}
  `)
})
