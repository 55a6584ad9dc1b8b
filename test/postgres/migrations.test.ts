import { SqlClient } from "@effect/sql"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MigrationsLive, PgliteClient, runMigrations, TenantRepoSql } from "../../adapters/postgres/index.js"
import { TenantRepo } from "../../core/index.js"
import { migrations } from "../../migrations/index.js"
import { makeTenant } from "../support/fixtures.js"
import { emptySqlDatabases } from "../support/stores.js"

const everyMigration = Object.keys(migrations).map((key) => [Number(key.slice(0, 4)), key.slice(5)] as const)

const recordedMigrations = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<{ migration_id: number }>`SELECT migration_id FROM effect_sql_migrations ORDER BY migration_id`
).pipe(
  Effect.map((rows) => rows.map((row) => row.migration_id))
)

for (const database of await emptySqlDatabases()) {
  describe(`migrations on ${database.name}`, () => {
    layer(database.layer(), { timeout: 60_000 })((it) => {
      it.effect("the first run applies every migration, the second applies nothing", () =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* runMigrations, everyMigration)
          assert.deepStrictEqual(yield* runMigrations, [])
          assert.deepStrictEqual(yield* recordedMigrations, everyMigration.map(([id]) => id))
        }))
    })

    layer(database.layer(), { timeout: 60_000 })((it) => {
      it.effect("two runs at once: one applies everything, the other waits and applies nothing", () =>
        Effect.gen(function*() {
          const runs = yield* Effect.all([runMigrations, runMigrations], { concurrency: "unbounded" })
          assert.deepStrictEqual([...runs].sort((a, b) => b.length - a.length), [everyMigration, []])
          assert.deepStrictEqual(yield* recordedMigrations, everyMigration.map(([id]) => id))
        }))
    })
  })
}

describe("a persisted PGlite", () => {
  it.effect("keeps its schema and data when closed and reopened", () =>
    Effect.gen(function*() {
      const root = mkdtempSync(join(tmpdir(), "guildhall-pglite-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(root, { recursive: true, force: true })))
      // A directory that does not exist yet: the layer creates it.
      const database = () =>
        TenantRepoSql.pipe(
          Layer.provideMerge(MigrationsLive),
          Layer.provideMerge(PgliteClient.layer({ dataDir: join(root, "nested", "data") }))
        )
      const tenant = makeTenant({ name: "Persisted" })

      yield* Effect.flatMap(TenantRepo, (tenants) => tenants.insert(tenant)).pipe(Effect.provide(database()))

      const [applied, found] = yield* Effect.all([
        runMigrations,
        Effect.flatMap(TenantRepo, (tenants) => tenants.findById(tenant.id))
      ])
        .pipe(Effect.provide(database()))
      assert.deepStrictEqual(applied, [])
      assert.deepStrictEqual(found, Option.some(tenant))
    }).pipe(Effect.scoped), { timeout: 60_000 })
})
