import type { SqlClient } from "@effect/sql"
import { Layer } from "effect"
import { ReadinessMemory, RepositoriesMemory } from "../../adapters/memory/index.js"
import { RepositoriesSql } from "../../adapters/postgres/index.js"
import type { ApiKeyRepo, GuildRepo, Readiness, TenantRepo } from "../../core/index.js"
import {
  emptyPgliteDatabase,
  emptyServerDatabase,
  pgliteDatabase,
  serverAvailable,
  serverDatabase
} from "./databases.js"

/** A fresh store, built anew for each `layer(...)` block that uses it. */
export interface Store<A> {
  readonly name: string
  readonly layer: () => Layer.Layer<A>
}

/** The SQL databases this run covers: PGlite always, the server when reachable (always under CI). */
export const sqlDatabases = async (): Promise<ReadonlyArray<Store<SqlClient.SqlClient>>> => [
  { name: "PGlite", layer: pgliteDatabase },
  ...(await serverAvailable() ? [{ name: "Postgres server", layer: serverDatabase }] : [])
]

/** The same databases with no migration applied. */
export const emptySqlDatabases = async (): Promise<ReadonlyArray<Store<SqlClient.SqlClient>>> => [
  { name: "PGlite", layer: emptyPgliteDatabase },
  ...(await serverAvailable() ? [{ name: "Postgres server", layer: emptyServerDatabase }] : [])
]

export type Repositories = TenantRepo | GuildRepo | ApiKeyRepo | Readiness

/** Every implementation of the repository ports: memory, and SQL on each database. */
export const repositoryStores = async (): Promise<ReadonlyArray<Store<Repositories>>> => [
  { name: "memory", layer: () => Layer.mergeAll(RepositoriesMemory, ReadinessMemory) },
  ...(await sqlDatabases()).map((database) => ({
    name: database.name,
    layer: () => RepositoriesSql.pipe(Layer.provide(database.layer()))
  }))
]
