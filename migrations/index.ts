import tenancy from "./0001_tenancy.js"
import apiKeys from "./0002_api_keys.js"
import rowLevelSecurity from "./0003_row_level_security.js"

/**
 * Every migration, keyed `<id>_<name>` for `Migrator.fromRecord`. Imported
 * statically so they load the same under vitest and in a bundle.
 */
export const migrations = {
  "0001_tenancy": tenancy,
  "0002_api_keys": apiKeys,
  "0003_row_level_security": rowLevelSecurity
}
