import { Layer } from "effect"
import { ApiKeyRepoSql } from "./ApiKeyRepoSql.js"
import { FeatureCatalogRepoSql } from "./FeatureCatalogRepoSql.js"
import { GuildRepoSql } from "./GuildRepoSql.js"
import { ReadinessSql } from "./ReadinessSql.js"
import { TenantRepoSql } from "./TenantRepoSql.js"

export { MigrationsLive, runMigrations } from "./Migrations.js"
export * as PgliteClient from "./PgliteClient.js"
export * as PgServerClient from "./PgServerClient.js"
export { QuotaStoreSql } from "./QuotaStoreSql.js"
export { asPlatform, inTenant, withPlatformView } from "./TenantScope.js"
export { ApiKeyRepoSql, FeatureCatalogRepoSql, GuildRepoSql, ReadinessSql, TenantRepoSql }

/** Every repository port and Readiness over the SqlClient in context (PGlite or a server). */
export const RepositoriesSql = Layer.mergeAll(
  TenantRepoSql,
  GuildRepoSql,
  ApiKeyRepoSql,
  ReadinessSql,
  FeatureCatalogRepoSql
)
