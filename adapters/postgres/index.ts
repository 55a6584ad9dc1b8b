import { Layer } from "effect"
import { ApiKeyRepoSql } from "./ApiKeyRepoSql.js"
import { AuditLogSql } from "./AuditLogSql.js"
import { BillingLedgerSql } from "./BillingLedgerSql.js"
import { CommandSyncRepoSql } from "./CommandSyncRepoSql.js"
import { EntitlementRepoSql } from "./EntitlementRepoSql.js"
import { ExportRepoSql } from "./ExportRepoSql.js"
import { FeatureCatalogRepoSql } from "./FeatureCatalogRepoSql.js"
import { GuildClaimRepoSql } from "./GuildClaimRepoSql.js"
import { GuildFeatureRepoSql } from "./GuildFeatureRepoSql.js"
import { GuildRepoSql } from "./GuildRepoSql.js"
import { JobsSql } from "./JobsSql.js"
import { JobWakeupsSql } from "./JobWakeupsSql.js"
import { KillSwitchRepoSql } from "./KillSwitchRepoSql.js"
import { LicenseRepoSql } from "./LicenseRepoSql.js"
import { OffboardingRepoSql } from "./OffboardingRepoSql.js"
import { PaidRoleRepoSql } from "./PaidRoleRepoSql.js"
import { PaymentOrderRepoSql } from "./PaymentOrderRepoSql.js"
import { PaymentSettingsRepoSql } from "./PaymentSettingsRepoSql.js"
import { PlatformSettingsRepoSql } from "./PlatformSettingsRepoSql.js"
import { ReadinessSql } from "./ReadinessSql.js"
import { RuleRepoSql } from "./RuleRepoSql.js"
import { SetupProgressRepoSql } from "./SetupProgressRepoSql.js"
import { TenantBotRepoSql } from "./TenantBotRepoSql.js"
import { TenantDataSql } from "./TenantDataSql.js"
import { TenantRepoSql } from "./TenantRepoSql.js"
import { UsageReportRepoSql } from "./UsageReportRepoSql.js"
import { XpStoreSql } from "./XpStoreSql.js"

export { DataDirectoryLocked, lockFileName } from "./DataDirectoryLock.js"
export { MigrationsLive, runMigrations } from "./Migrations.js"
export * as PgliteClient from "./PgliteClient.js"
export * as PgServerClient from "./PgServerClient.js"
export type { PolicyChangeListenerOptions } from "./PolicyChangeListener.js"
export { PolicyStoreSql, PolicyStoreSqlOf } from "./PolicyStoreSql.js"
export { policyChannel } from "./policyVersions.js"
export { QuotaStoreSql } from "./QuotaStoreSql.js"
export { GuildClaimRepoSql, PlatformSettingsRepoSql }
export { PgListener } from "./PgListener.js"
export { OneStatementTransaction, type RoundTripSavings, roundTripSavings, type RoundTripTricks } from "./RoundTrips.js"
export { asPlatform, inTenant, withPlatformView } from "./TenantScope.js"
export { ApiKeyRepoSql, FeatureCatalogRepoSql, GuildRepoSql, ReadinessSql, TenantRepoSql }
export { XpStoreSql }

export { EntitlementRepoSql, GuildFeatureRepoSql, KillSwitchRepoSql, RuleRepoSql }
export { SetupProgressRepoSql }
export { CommandSyncRepoSql }
export { TenantBotRepoSql }
export { LicenseRepoSql, UsageReportRepoSql }
export { BillingLedgerSql, JobsSql, JobWakeupsSql, PaidRoleRepoSql, PaymentOrderRepoSql, PaymentSettingsRepoSql }

/**
 * The writes that change guild policy, over the SqlClient in context. The
 * PolicyStore that reads and hears them (PolicyStoreSql) is provided apart:
 * it holds a listening connection and a background fiber.
 */
export const GuildPolicySql = Layer.mergeAll(GuildFeatureRepoSql, RuleRepoSql, EntitlementRepoSql, KillSwitchRepoSql)

/** Billing and payments: the job outbox, the ledger (which enqueues into it), paid roles, orders, provider settings. */
export const BillingSql = Layer.mergeAll(BillingLedgerSql, PaidRoleRepoSql, PaymentOrderRepoSql, PaymentSettingsRepoSql)
  .pipe(
    Layer.provideMerge(JobsSql)
  )

export { AuditLogSql } from "./AuditLogSql.js"
export { ExportRepoSql } from "./ExportRepoSql.js"
export { OffboardingRepoSql } from "./OffboardingRepoSql.js"
export { TenantDataSql } from "./TenantDataSql.js"
export { archivedTables, type TenantTable, tenantTables } from "./TenantTables.js"

/** Every repository port and Readiness over the SqlClient in context (PGlite or a server). */
export const RepositoriesSql = Layer.mergeAll(
  TenantRepoSql,
  GuildRepoSql,
  ApiKeyRepoSql,
  ReadinessSql,
  FeatureCatalogRepoSql,
  GuildClaimRepoSql,
  PlatformSettingsRepoSql,
  GuildPolicySql,
  BillingSql,
  XpStoreSql,
  SetupProgressRepoSql,
  CommandSyncRepoSql,
  TenantBotRepoSql,
  LicenseRepoSql,
  UsageReportRepoSql,
  ExportRepoSql,
  OffboardingRepoSql,
  AuditLogSql,
  TenantDataSql
)
