import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * Money received and not applied (ADR 096): a SePay transfer for an order
 * that was already settled, or dated before the order existed, is held here
 * for the tenant's admins or the operator to apply or mark refunded. An
 * underpaid order can now also end refunded. Tenant-owned and isolated like
 * every tenant table; the order it names is payment history, so it stays.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE held_transfers (
      tenant_id uuid NOT NULL,
      transaction_id text NOT NULL,
      order_id uuid NOT NULL,
      amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
      currency text NOT NULL,
      reason text NOT NULL,
      occurred_at timestamptz NOT NULL,
      held_at timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('held', 'applied', 'refunded')),
      resolved_at timestamptz,
      resolved_by text,
      PRIMARY KEY (tenant_id, transaction_id),
      FOREIGN KEY (tenant_id, order_id) REFERENCES payment_orders (tenant_id, id),
      CHECK ((status = 'held') = (resolved_at IS NULL))
    );
    CREATE INDEX held_transfers_held_idx ON held_transfers (tenant_id, held_at) WHERE status = 'held';

    ALTER TABLE payment_orders DROP CONSTRAINT payment_orders_status_check;
    ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_status_check
      CHECK (status IN ('pending', 'paid', 'underpaid', 'refunded', 'expired'));
    CREATE INDEX payment_orders_underpaid_idx ON payment_orders (tenant_id, settled_at) WHERE status = 'underpaid';

    GRANT SELECT, INSERT, UPDATE, DELETE ON held_transfers TO guildhall_app;

    ${tenantIsolation("held_transfers")}
  `)
})
