import type { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import type { SqlError } from "@effect/sql/SqlError"
import { Config, type ConfigError, type Layer, type Redacted } from "effect"

/**
 * A pooled client for a Postgres server (@effect/sql-pg over node-postgres).
 *
 * Queries are written in snake_case and rows mapped by hand in the
 * repositories, so no name transforms are configured here or in PgliteClient.
 * Value parsing is node-postgres's default (PgliteClient mirrors it):
 * timestamptz -> Date, json/jsonb -> parsed JSON, uuid/int8/numeric -> string.
 */
export interface PgServerClientOptions {
  /** postgres://user:password@host:port/database; `?options=-c search_path=...` selects a schema. */
  readonly url: Redacted.Redacted
  readonly maxConnections?: number | undefined
  readonly applicationName?: string | undefined
}

export const layer = (options: PgServerClientOptions): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError> =>
  PgClient.layer({
    url: options.url,
    maxConnections: options.maxConnections,
    applicationName: options.applicationName ?? "guildhall"
  })

/** The server from `DATABASE_URL` (a secret: it may carry a password). */
export const layerConfig: Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError | ConfigError.ConfigError> =
  PgClient.layerConfig({
    url: Config.redacted("DATABASE_URL"),
    applicationName: Config.succeed("guildhall")
  })
