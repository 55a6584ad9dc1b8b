import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * Licenses for self-host installs (ADR 080): the license, the hashes of its
 * keys (never the keys; a regenerated key's predecessor keeps working until
 * `valid_until`), and the installs holding it. Tenant-owned and isolated like
 * every tenant table; the license server looks keys up in platform context.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE licenses (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      plan_key text NOT NULL,
      flags jsonb NOT NULL,
      limits jsonb NOT NULL,
      max_activations integer NOT NULL CHECK (max_activations > 0),
      status text NOT NULL CHECK (status IN ('active', 'suspended', 'revoked', 'expired')),
      expires_at timestamptz,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (id)
    );

    CREATE TABLE license_keys (
      tenant_id uuid NOT NULL,
      key_hash text NOT NULL,
      license_id uuid NOT NULL,
      created_at timestamptz NOT NULL,
      valid_until timestamptz,
      PRIMARY KEY (tenant_id, key_hash),
      UNIQUE (key_hash),
      FOREIGN KEY (tenant_id, license_id) REFERENCES licenses (tenant_id, id)
    );

    CREATE TABLE license_activations (
      tenant_id uuid NOT NULL,
      license_id uuid NOT NULL,
      fingerprint text NOT NULL,
      application_id text NOT NULL,
      install_id text NOT NULL,
      version text NOT NULL,
      first_seen timestamptz NOT NULL,
      last_seen timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, license_id, fingerprint),
      FOREIGN KEY (tenant_id, license_id) REFERENCES licenses (tenant_id, id)
    );

    GRANT SELECT, INSERT, UPDATE, DELETE ON licenses, license_keys, license_activations TO guildhall_app;

    ${tenantIsolation("licenses")}
    ${tenantIsolation("license_keys")}
    ${tenantIsolation("license_activations")}
  `)
})
