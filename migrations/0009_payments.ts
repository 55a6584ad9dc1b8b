import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * Payments: the roles guilds sell, SePay bank-transfer orders, and each
 * tenant's payment-provider settings. Tenant-owned like every table since
 * 0001: tenant_id leads each primary and foreign key, isolated by the tenant
 * policy of 0003.
 *
 * Secrets: the Polar access token and webhook secret and the SePay HMAC
 * secret must be usable to call and sign, so they are stored as given (the
 * repositories surface them only as Redacted); the SePay API key is stored as
 * its SHA-256 hash. Encrypting the usable secrets at rest with an operator
 * key is a follow-up.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE paid_roles (
      tenant_id uuid NOT NULL,
      guild_id text NOT NULL,
      role_id text NOT NULL,
      name text NOT NULL,
      price_minor bigint NOT NULL CHECK (price_minor >= 0),
      currency text NOT NULL,
      stripe_price_id text,
      polar_product_id text,
      sepay_pass_days integer,
      grace_days integer NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, guild_id, role_id),
      FOREIGN KEY (tenant_id, guild_id) REFERENCES guilds (tenant_id, guild_id)
    );

    -- Orders outlive the paid role they were for (no foreign key to paid_roles): they are payment history.
    CREATE TABLE payment_orders (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL,
      guild_id text NOT NULL,
      role_id text NOT NULL,
      user_id text NOT NULL,
      code text NOT NULL,
      amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
      currency text NOT NULL,
      account_number text NOT NULL,
      bank_code text NOT NULL,
      pass_days integer NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'paid', 'underpaid', 'expired')),
      received_minor bigint NOT NULL,
      overpaid_minor bigint NOT NULL,
      transaction_id text,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      settled_at timestamptz,
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, guild_id) REFERENCES guilds (tenant_id, guild_id)
    );
    -- SePay matches payment codes case-insensitively, so they are unique per tenant case-insensitively.
    CREATE UNIQUE INDEX payment_orders_code_key ON payment_orders (tenant_id, upper(code));
    CREATE INDEX payment_orders_pending_idx ON payment_orders (tenant_id, expires_at) WHERE status = 'pending';

    CREATE TABLE payment_settings (
      tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
      polar_access_token text,
      polar_webhook_secret text,
      sepay_settings jsonb,
      sepay_api_key_hash text,
      sepay_hmac_secret text,
      CHECK ((polar_access_token IS NULL) = (polar_webhook_secret IS NULL)),
      CHECK (sepay_settings IS NOT NULL OR (sepay_api_key_hash IS NULL AND sepay_hmac_secret IS NULL))
    );

    GRANT SELECT, INSERT, UPDATE, DELETE ON paid_roles, payment_orders, payment_settings TO guildhall_app;

    ${tenantIsolation("paid_roles")}
    ${tenantIsolation("payment_orders")}
    ${tenantIsolation("payment_settings")}
  `)
})
