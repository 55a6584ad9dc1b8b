import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * The job outbox (ADR 051): work enqueued in the transaction that decided it
 * and run at least once by workers that claim due rows with
 * `FOR UPDATE SKIP LOCKED`. A job with a null tenant is platform housekeeping,
 * visible only in platform context under the isolation policy.
 *
 * No foreign key to tenants: its check would lock the tenant's row on every
 * enqueue, serializing a busy tenant's transactions on it.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid,
      kind text NOT NULL,
      payload jsonb NOT NULL,
      idempotency_key text NOT NULL UNIQUE,
      status text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'dead')),
      run_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      max_attempts integer NOT NULL CHECK (max_attempts > 0),
      last_error text,
      locked_by text,
      locked_until timestamptz,
      created_at timestamptz NOT NULL,
      finished_at timestamptz,
      -- Orders jobs enqueued at the same instant (first in, first out).
      insertion_order bigint GENERATED ALWAYS AS IDENTITY
    );
    -- The claim: due pending jobs and running ones whose lease expired, by run_at. Finished jobs stay out of it.
    CREATE INDEX jobs_claimable_idx ON jobs (run_at, insertion_order) WHERE status IN ('pending', 'running');
    -- Listings by status (dead letters for operators), oldest first.
    CREATE INDEX jobs_status_created_at_idx ON jobs (status, created_at, insertion_order);

    GRANT SELECT, INSERT, UPDATE, DELETE ON jobs TO guildhall_app;

    ${tenantIsolation("jobs")}
  `)
})
