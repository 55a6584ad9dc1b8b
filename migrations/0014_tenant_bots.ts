import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * White-label bots (ADR 071): a tenant's own Discord application and the
 * token its client logs in with. Tenant-owned (one bot per tenant, tenant_id
 * is the key), isolated by the tenant policy; the hosted runner lists every
 * tenant's bot in platform context. The token is stored as given: it must be
 * usable, and the repository has no encryption key yet (ADR 071).
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE tenant_bots (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      application_id text NOT NULL,
      token text NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id)
    );

    GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_bots TO guildhall_app;

    ${tenantIsolation("tenant_bots")}
  `)
})
