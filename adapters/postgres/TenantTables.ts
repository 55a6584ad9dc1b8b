/**
 * Every table that holds a tenant's rows, parents before children, with the
 * column naming the tenant. `archived` tables are the tenant's data (exports
 * carry them, imports replace them, anonymize rewrites them); the others are
 * this install's own bookkeeping about the tenant, which a purge deletes too.
 * A test compares this list with the database's tables, so a new tenant
 * table cannot be left out of purges by accident.
 */
export interface TenantTable {
  readonly name: string
  readonly tenantColumn: "id" | "tenant_id"
  readonly archived: boolean
}

const archived = (name: string, tenantColumn: "id" | "tenant_id" = "tenant_id"): TenantTable => ({
  name,
  tenantColumn,
  archived: true
})
const local = (name: string): TenantTable => ({ name, tenantColumn: "tenant_id", archived: false })

export const tenantTables: ReadonlyArray<TenantTable> = [
  archived("tenants", "id"),
  archived("guilds"),
  archived("guild_directory"),
  archived("api_keys"),
  archived("quota_counters"),
  archived("quota_holds"),
  archived("quota_idempotency_keys"),
  archived("quota_daily_usage"),
  archived("guild_features"),
  archived("rbac_rules"),
  archived("plan_overrides"),
  archived("held_add_ons"),
  archived("subscriptions"),
  archived("webhook_events"),
  archived("paid_roles"),
  archived("payment_orders"),
  archived("held_transfers"),
  archived("payment_settings"),
  archived("xp_members"),
  archived("setup_progress"),
  archived("guild_claims"),
  archived("tenant_bots"),
  // Rebuilt by a restore: versions are bumped, syncs re-sent.
  local("guild_policy_versions"),
  local("command_syncs"),
  // The license server's records of what it issued to the tenant.
  local("licenses"),
  local("license_keys"),
  local("license_activations"),
  local("license_usage_streams"),
  local("license_usage_reports"),
  local("jobs"),
  local("exports"),
  local("offboarding_flows"),
  local("audit_events")
]

export const archivedTables = tenantTables.filter((table) => table.archived)
