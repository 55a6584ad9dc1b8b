import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * Hosting modes (ADR 083): tenant exports (the signed archive kept until it
 * expires), offboarding flows (each step a job; the flow row says where it
 * stands), and the audit trail of both. Tenant-owned and isolated like every
 * tenant table; a purge deletes the tenant's rows here too, then records
 * itself with tenant_id NULL and only a hash of the tenant id (audit_events
 * allows NULL for exactly that, and for platform-wide events).
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE exports (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'ready', 'failed')),
      requested_by text NOT NULL,
      created_at timestamptz NOT NULL,
      finished_at timestamptz,
      expires_at timestamptz,
      archive bytea,
      sha256 text,
      size_bytes bigint,
      tables jsonb,
      error text,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (id)
    );

    CREATE TABLE offboarding_flows (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('move_to_self_host', 'remove_bot', 'non_payment')),
      status text NOT NULL CHECK (status IN ('running', 'done', 'cancelled')),
      steps jsonb NOT NULL,
      context jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (id)
    );
    -- One flow at a time per tenant.
    CREATE UNIQUE INDEX offboarding_flows_running_key ON offboarding_flows (tenant_id) WHERE status = 'running';

    CREATE TABLE audit_events (
      id uuid PRIMARY KEY,
      tenant_id uuid,
      at timestamptz NOT NULL,
      actor text NOT NULL,
      action text NOT NULL,
      subject text NOT NULL,
      detail jsonb NOT NULL
    );
    CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, at DESC);

    GRANT SELECT, INSERT, UPDATE, DELETE ON exports, offboarding_flows, audit_events TO guildhall_app;

    ${tenantIsolation("exports")}
    ${tenantIsolation("offboarding_flows")}
    ${tenantIsolation("audit_events")}
  `)
})
