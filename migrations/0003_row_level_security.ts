import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { platformOnly, tenantIsolation } from "./policies.js"

/**
 * Row-level security, the second line of isolation behind the tenant-scoped
 * repositories. Superusers bypass RLS even when forced (PGlite runs as one),
 * so every repository transaction switches to the unprivileged role
 * guildhall_app (see TenantScope.ts), which sees only the rows of the tenant
 * in `app.tenant_id`, or every row when `app.platform` is 'on'.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    -- Roles are cluster-wide: another database (or process) may create it at the same
    -- moment, and a database owner without CREATEROLE relies on an administrator having made it.
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'guildhall_app') THEN
        BEGIN
          CREATE ROLE guildhall_app NOLOGIN;
        EXCEPTION
          WHEN duplicate_object OR unique_violation THEN NULL;
          WHEN insufficient_privilege THEN
            RAISE NOTICE 'Cannot create role guildhall_app; ask an administrator to run: CREATE ROLE guildhall_app NOLOGIN';
        END;
      END IF;
      BEGIN
        EXECUTE format('GRANT guildhall_app TO %I', current_user);
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
          RAISE NOTICE 'Cannot grant guildhall_app to %; ask an administrator to run: GRANT guildhall_app TO %', current_user, current_user;
      END;
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO guildhall_app', current_schema());
    END $$;

    GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, guilds, guild_directory, api_keys, operator_keys TO guildhall_app;
    GRANT USAGE ON SEQUENCE tenants_insertion_order_seq TO guildhall_app;

    ${tenantIsolation("tenants", "id")}
    ${tenantIsolation("guilds", "tenant_id")}
    ${tenantIsolation("guild_directory", "tenant_id")}
    ${tenantIsolation("api_keys", "tenant_id")}

    -- Operator keys belong to no tenant: only platform work sees them.
    ${platformOnly("operator_keys")}
  `)
})
