import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { platformOnly, tenantIsolation } from "./policies.js"

/**
 * Guild policy: what the guardrail's per-guild snapshot is built from.
 * Tenant-owned tables lead their primary and foreign keys with tenant_id (ready
 * for Citus) and get the tenant policy of migration 0003; kill switches and
 * the platform's policy version belong to no tenant.
 *
 * Versions: a guild's policy version is its row in guild_policy_versions plus
 * the platform's version, so a kill switch bumps every guild with one row.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE guild_features (
      tenant_id uuid NOT NULL,
      guild_id text NOT NULL,
      feature_key text NOT NULL,
      enabled boolean NOT NULL,
      config jsonb NOT NULL DEFAULT '{}',
      config_version integer NOT NULL,
      PRIMARY KEY (tenant_id, guild_id, feature_key),
      FOREIGN KEY (tenant_id, guild_id) REFERENCES guilds (tenant_id, guild_id)
    );

    -- A rule is identified within its guild: moving one to another guild is a removal and a put.
    CREATE TABLE rbac_rules (
      tenant_id uuid NOT NULL,
      guild_id text NOT NULL,
      id uuid NOT NULL,
      scope text NOT NULL CHECK (scope IN ('platform', 'tenant')),
      target text NOT NULL,
      subject text NOT NULL,
      subject_id text NOT NULL,
      effect text NOT NULL CHECK (effect IN ('allow', 'deny')),
      PRIMARY KEY (tenant_id, guild_id, id),
      FOREIGN KEY (tenant_id, guild_id) REFERENCES guilds (tenant_id, guild_id)
    );

    -- guild_id null: the override applies to every guild of the tenant.
    CREATE TABLE plan_overrides (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      guild_id text,
      plan_key text,
      features jsonb NOT NULL DEFAULT '[]',
      limits jsonb NOT NULL DEFAULT '{}',
      reason text NOT NULL,
      expires_at timestamptz,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, guild_id) REFERENCES guilds (tenant_id, guild_id)
    );

    CREATE TABLE held_add_ons (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      add_on_key text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      expires_at timestamptz,
      PRIMARY KEY (tenant_id, add_on_key)
    );

    CREATE TABLE guild_policy_versions (
      tenant_id uuid NOT NULL,
      guild_id text NOT NULL,
      version bigint NOT NULL,
      PRIMARY KEY (tenant_id, guild_id),
      FOREIGN KEY (tenant_id, guild_id) REFERENCES guilds (tenant_id, guild_id)
    );

    -- A row per switch that is on: '*' stops every command, a feature key that feature.
    CREATE TABLE kill_switches (
      key text PRIMARY KEY
    );

    -- One row: added to every guild's version, so a platform change bumps them all at once.
    CREATE TABLE platform_policy_version (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      version bigint NOT NULL
    );
    INSERT INTO platform_policy_version (singleton, version) VALUES (true, 0);

    GRANT SELECT, INSERT, UPDATE, DELETE
      ON guild_features, rbac_rules, plan_overrides, held_add_ons, guild_policy_versions,
         kill_switches, platform_policy_version
      TO guildhall_app;

    ${tenantIsolation("guild_features")}
    ${tenantIsolation("rbac_rules")}
    ${tenantIsolation("plan_overrides")}
    ${tenantIsolation("held_add_ons")}
    ${tenantIsolation("guild_policy_versions")}
    ${platformOnly("kill_switches")}
    ${platformOnly("platform_policy_version")}
  `)
})
