import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * API keys: only a visible prefix and a hash are stored. Tenant keys are
 * tenant-owned; operator keys belong to no tenant, so they live in a platform table.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE api_keys (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      name text NOT NULL,
      prefix text NOT NULL,
      secret_hash text NOT NULL,
      created_at timestamptz NOT NULL,
      revoked_at timestamptz,
      PRIMARY KEY (tenant_id, id)
    );
    CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);
    -- The operator revokes a key by id alone.
    CREATE INDEX api_keys_id_idx ON api_keys (id);

    CREATE TABLE operator_keys (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      prefix text NOT NULL,
      secret_hash text NOT NULL,
      created_at timestamptz NOT NULL,
      revoked_at timestamptz
    );
    CREATE INDEX operator_keys_prefix_idx ON operator_keys (prefix);
  `
})
