import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * Billing: every payment webhook as received, and the subscription state the
 * events drive (BillingLedger). Both are written in the webhook's one
 * transaction, with the jobs that carry out its effects (migration 0007).
 *
 * webhook_events breaks the "tenant_id leads the primary key" rule on
 * purpose. Its key is what the provider guarantees unique, (provider,
 * provider_event_id): a duplicate must be recognised before, and whatever,
 * the tenant the payload names, and an ignored operator-account event names
 * no tenant at all (tenant_id NULL). Under Citus it is distributed by
 * provider_event_id (or stays on the coordinator); nothing joins it to the
 * tenant tables. Row-level security still applies: NULL never equals a
 * tenant's app.tenant_id, so tenantless rows are visible only in platform
 * context. tenant_id has no foreign key: a receipt is kept whatever it names.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    -- payload is the raw body exactly as received (text, not jsonb: jsonb would reorder and reformat it).
    CREATE TABLE webhook_events (
      provider text NOT NULL,
      provider_event_id text NOT NULL,
      type text NOT NULL,
      tenant_id uuid,
      payload text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('applied', 'ignored', 'held_for_review')),
      note text,
      received_at timestamptz NOT NULL,
      PRIMARY KEY (provider, provider_event_id)
    );
    CREATE INDEX webhook_events_tenant_idx ON webhook_events (tenant_id, received_at DESC);

    -- One subscription per subject within its tenant (subjectKey: 'plan', or 'role:<guild>:<role>:<user>').
    -- state is the whole SubscriptionState (Schema-encoded); the other columns repeat parts of it to filter on.
    CREATE TABLE subscriptions (
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      subject_key text NOT NULL,
      status text NOT NULL,
      provider text NOT NULL,
      correlation_id text NOT NULL,
      guild_id text,
      user_id text,
      role_id text,
      plan_key text,
      state jsonb NOT NULL,
      revision integer NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, subject_key)
    );
    CREATE INDEX subscriptions_updated_at_idx ON subscriptions (tenant_id, updated_at DESC);
    CREATE INDEX subscriptions_guild_idx ON subscriptions (tenant_id, guild_id, user_id);
    CREATE INDEX subscriptions_user_idx ON subscriptions (tenant_id, user_id);
    CREATE INDEX subscriptions_correlation_idx ON subscriptions (tenant_id, provider, correlation_id);

    GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_events, subscriptions TO guildhall_app;

    ${tenantIsolation("webhook_events")}
    ${tenantIsolation("subscriptions")}
  `)
})
