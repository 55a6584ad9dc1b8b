import { Layer } from "effect"
import { ApiKeyRepoSql } from "./ApiKeyRepoSql.js"
import { EntitlementRepoSql } from "./EntitlementRepoSql.js"
import { FeatureCatalogRepoSql } from "./FeatureCatalogRepoSql.js"
import { GuildFeatureRepoSql } from "./GuildFeatureRepoSql.js"
import { GuildRepoSql } from "./GuildRepoSql.js"
import { KillSwitchRepoSql } from "./KillSwitchRepoSql.js"
import { ReadinessSql } from "./ReadinessSql.js"
import { RuleRepoSql } from "./RuleRepoSql.js"
import { TenantRepoSql } from "./TenantRepoSql.js"

export { BillingLedgerSql } from "./BillingLedgerSql.js"
export { JobsSql } from "./JobsSql.js"
export { MigrationsLive, runMigrations } from "./Migrations.js"
export { PaidRoleRepoSql } from "./PaidRoleRepoSql.js"
export { PaymentOrderRepoSql } from "./PaymentOrderRepoSql.js"
export { PaymentSettingsRepoSql } from "./PaymentSettingsRepoSql.js"
export * as PgliteClient from "./PgliteClient.js"
export * as PgServerClient from "./PgServerClient.js"
export type { PolicyChangeListenerOptions } from "./PolicyChangeListener.js"
export { PolicyStoreSql, policyStoreSqlLayer } from "./PolicyStoreSql.js"
export { policyChannel } from "./policyVersions.js"
export { QuotaStoreSql } from "./QuotaStoreSql.js"
export { asPlatform, inTenant, withPlatformView } from "./TenantScope.js"
export { ApiKeyRepoSql, FeatureCatalogRepoSql, GuildRepoSql, ReadinessSql, TenantRepoSql }

export { EntitlementRepoSql, GuildFeatureRepoSql, KillSwitchRepoSql, RuleRepoSql }

/**
 * The writes that change guild policy, over the SqlClient in context. The
 * PolicyStore that reads and hears them (PolicyStoreSql) is provided apart:
 * it holds a listening connection and a background fiber.
 */
export const GuildPolicySql = Layer.mergeAll(GuildFeatureRepoSql, RuleRepoSql, EntitlementRepoSql, KillSwitchRepoSql)

/** Every repository port and Readiness over the SqlClient in context (PGlite or a server). */
export const RepositoriesSql = Layer.mergeAll(
  TenantRepoSql,
  GuildRepoSql,
  ApiKeyRepoSql,
  ReadinessSql,
  FeatureCatalogRepoSql,
  GuildPolicySql
)
