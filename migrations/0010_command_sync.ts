import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * What Discord has of each bot's commands in each guild: the hash of the set
 * it last accepted (a restart with nothing changed makes no PUT), and how its
 * last refusal ended (the daily create limit blocks until its reset).
 * Tenant-owned like every table since 0001: tenant_id leads the primary and
 * foreign keys, isolated by the tenant policy of 0003.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE command_syncs (
      tenant_id uuid NOT NULL,
      guild_id text NOT NULL,
      application_id text NOT NULL,
      hash text,
      synced_at timestamptz,
      blocked_until timestamptz,
      last_error jsonb,
      PRIMARY KEY (tenant_id, guild_id, application_id),
      FOREIGN KEY (tenant_id, guild_id) REFERENCES guilds (tenant_id, guild_id)
    );
    -- The sync at boot reads one application's states across tenants.
    CREATE INDEX command_syncs_application_idx ON command_syncs (application_id);

    GRANT SELECT, INSERT, UPDATE, DELETE ON command_syncs TO guildhall_app;

    ${tenantIsolation("command_syncs")}
  `)
})
