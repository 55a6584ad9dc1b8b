import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Tenants and their guilds. Every tenant-owned table leads its primary key
 * and its foreign keys with tenant_id, ready for Citus distribution by tenant.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE tenants (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      mode text NOT NULL,
      status text NOT NULL,
      plan_key text NOT NULL,
      guild_defaults jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL,
      -- Breaks created_at ties by insertion, so listing is in creation order even within one instant.
      insertion_order bigint GENERATED ALWAYS AS IDENTITY
    );
    CREATE INDEX tenants_created_at_idx ON tenants (created_at, insertion_order);

    CREATE TABLE guilds (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      guild_id text NOT NULL,
      name text NOT NULL,
      owner_id text NOT NULL,
      status text NOT NULL,
      config jsonb NOT NULL DEFAULT '{}',
      installed_at timestamptz NOT NULL,
      removed_at timestamptz,
      PRIMARY KEY (tenant_id, guild_id)
    );
    CREATE INDEX guilds_guild_id_idx ON guilds (guild_id);

    -- Which tenant has each guild installed right now: a row exists only while
    -- installed, and its primary key makes a guild belong to one tenant at a time.
    -- The foreign key is deferred because an install claims the guild here first
    -- (serializing tenants that race for it) and writes the guild row after deciding.
    CREATE TABLE guild_directory (
      guild_id text PRIMARY KEY,
      tenant_id uuid NOT NULL,
      FOREIGN KEY (tenant_id, guild_id) REFERENCES guilds (tenant_id, guild_id) DEFERRABLE INITIALLY DEFERRED
    );
  `
})
