import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { tenantIsolation } from "./policies.js"

/**
 * XP: each member's points per guild and when they last earned some (the
 * cooldown is checked against it in the award's conditional upsert).
 * Tenant-owned: tenant_id leads the keys, isolated by the tenant policy.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    CREATE TABLE xp_members (
      tenant_id uuid NOT NULL,
      guild_id text NOT NULL,
      user_id text NOT NULL,
      points bigint NOT NULL CHECK (points >= 0),
      last_awarded_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, guild_id, user_id),
      FOREIGN KEY (tenant_id, guild_id) REFERENCES guilds (tenant_id, guild_id)
    );
    -- The leaderboard and a member's rank (how many have more points).
    CREATE INDEX xp_members_leaderboard_idx ON xp_members (tenant_id, guild_id, points DESC, user_id COLLATE "C");

    GRANT SELECT, INSERT, UPDATE, DELETE ON xp_members TO guildhall_app;

    ${tenantIsolation("xp_members")}
  `)
})
