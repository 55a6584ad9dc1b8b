import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { platformOnly } from "./policies.js"

/**
 * The feature catalog synced from the registry at boot, for feature
 * discovery. Platform data (no tenant owns it): visible only to platform
 * work, like operator_keys in 0003.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE feature_catalog (
      key text PRIMARY KEY,
      name text NOT NULL,
      description text NOT NULL,
      requires text,
      access text NOT NULL,
      commands jsonb NOT NULL,
      config_version integer NOT NULL,
      synced_at timestamptz NOT NULL,
      retired_at timestamptz
    );

    GRANT SELECT, INSERT, UPDATE, DELETE ON feature_catalog TO guildhall_app;
    ${platformOnly("feature_catalog")}
  `)
})
