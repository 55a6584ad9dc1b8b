import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { platformOnly, tenantIsolation } from "./policies.js"

/**
 * How a guild the bot joins finds its tenant (ADR 070). guild_claims: a
 * tenant's claim from an invite callback, waiting for the guild's
 * GUILD_CREATE; tenant-owned (tenant_id leads the key; several tenants may
 * claim one guild, the newest unexpired claim wins), read in platform context
 * because the gateway does not know the tenant yet. unclaimed_guilds: guilds
 * the bot is in that no tenant claimed. platform_settings: platform-wide
 * values such as the generated invite signing key. The last two belong to no tenant.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE guild_claims (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      guild_id text NOT NULL,
      claimed_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, guild_id)
    );
    CREATE INDEX guild_claims_guild_id_idx ON guild_claims (guild_id, claimed_at DESC);
    CREATE INDEX guild_claims_expires_at_idx ON guild_claims (expires_at);

    CREATE TABLE unclaimed_guilds (
      guild_id text PRIMARY KEY,
      name text NOT NULL,
      owner_id text NOT NULL,
      seen_at timestamptz NOT NULL
    );
    CREATE INDEX unclaimed_guilds_seen_at_idx ON unclaimed_guilds (seen_at, guild_id);

    CREATE TABLE platform_settings (
      key text PRIMARY KEY,
      value text NOT NULL
    );

    GRANT SELECT, INSERT, UPDATE, DELETE ON guild_claims, unclaimed_guilds, platform_settings TO guildhall_app;
    ${tenantIsolation("guild_claims")}
    ${platformOnly("unclaimed_guilds")}
    ${platformOnly("platform_settings")}
  `)
})
