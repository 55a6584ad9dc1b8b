import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * Where each guild's admin is in the /setup wizard, saved after every step so
 * it resumes there. Tenant-owned: tenant_id leads the key, isolated by the
 * tenant policy; it goes with its guild's row.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE setup_progress (
      tenant_id uuid NOT NULL,
      guild_id text NOT NULL,
      step text NOT NULL CHECK (step IN ('features', 'roles', 'providers', 'done')),
      chosen_features jsonb NOT NULL,
      roles jsonb NOT NULL,
      offered_providers jsonb NOT NULL,
      completed_at timestamptz,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, guild_id),
      FOREIGN KEY (tenant_id, guild_id) REFERENCES guilds (tenant_id, guild_id)
    );

    GRANT SELECT, INSERT, UPDATE, DELETE ON setup_progress TO guildhall_app;

    ${tenantIsolation("setup_progress")}
  `)
})
