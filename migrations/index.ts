import tenancy from "./0001_tenancy.js"
import apiKeys from "./0002_api_keys.js"
import rowLevelSecurity from "./0003_row_level_security.js"
import quotas from "./0004_quotas.js"
import guildPolicy from "./0005_guild_policy.js"
import featureCatalog from "./0006_feature_catalog.js"
import jobs from "./0007_jobs.js"
import billing from "./0008_billing.js"
import payments from "./0009_payments.js"
import commandSync from "./0010_command_sync.js"
import xp from "./0011_xp.js"
import setupProgress from "./0012_setup_progress.js"
import guildClaims from "./0013_guild_claims.js"
import tenantBots from "./0014_tenant_bots.js"
import licenses from "./0015_licenses.js"
import hosting from "./0016_hosting.js"
import usageReports from "./0017_usage_reports.js"
import heldTransfers from "./0018_held_transfers.js"

/**
 * Every migration, keyed `<id>_<name>` for `Migrator.fromRecord`. Imported
 * statically so they load the same under vitest and in a bundle.
 */
export const migrations = {
  "0001_tenancy": tenancy,
  "0002_api_keys": apiKeys,
  "0003_row_level_security": rowLevelSecurity,
  "0004_quotas": quotas,
  "0005_guild_policy": guildPolicy,
  "0006_feature_catalog": featureCatalog,
  "0007_jobs": jobs,
  "0008_billing": billing,
  "0009_payments": payments,
  "0010_command_sync": commandSync,
  "0011_xp": xp,
  "0012_setup_progress": setupProgress,
  "0013_guild_claims": guildClaims,
  "0014_tenant_bots": tenantBots,
  "0015_licenses": licenses,
  "0016_hosting": hosting,
  "0017_usage_reports": usageReports,
  "0018_held_transfers": heldTransfers
}
