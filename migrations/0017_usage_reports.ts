import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * Usage reports from self-host installs (ADR 082): per license and install,
 * the report key it registered when it activated and the last sequence the
 * server took (kept when the install deactivates, so its numbering never
 * restarts), and the batches taken. Tenant-owned and isolated like every
 * tenant table; the license server finds a stream in platform context.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE license_usage_streams (
      tenant_id uuid NOT NULL,
      license_id uuid NOT NULL,
      fingerprint text NOT NULL,
      application_id text NOT NULL,
      install_id text NOT NULL,
      report_key text NOT NULL,
      last_sequence integer NOT NULL DEFAULT 0 CHECK (last_sequence >= 0),
      registered_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, license_id, fingerprint),
      UNIQUE (license_id, fingerprint),
      FOREIGN KEY (tenant_id, license_id) REFERENCES licenses (tenant_id, id)
    );

    CREATE TABLE license_usage_reports (
      tenant_id uuid NOT NULL,
      license_id uuid NOT NULL,
      fingerprint text NOT NULL,
      sequence integer NOT NULL CHECK (sequence > 0),
      period_start date NOT NULL,
      period_end date NOT NULL,
      entries jsonb NOT NULL,
      received_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, license_id, fingerprint, sequence),
      FOREIGN KEY (tenant_id, license_id, fingerprint)
        REFERENCES license_usage_streams (tenant_id, license_id, fingerprint)
    );

    GRANT SELECT, INSERT, UPDATE, DELETE ON license_usage_streams, license_usage_reports TO guildhall_app;

    ${tenantIsolation("license_usage_streams")}
    ${tenantIsolation("license_usage_reports")}
  `)
})
