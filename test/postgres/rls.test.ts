import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { assert, describe, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import { asPlatform, inTenant, RepositoriesSql } from "../../adapters/postgres/index.js"
import { ApiKeyId, ApiKeyRecord, ApiKeyRepo, GuildId, TenantId, TenantRepo } from "../../core/index.js"
import { install, makeKey, makeTenant } from "../support/fixtures.js"
import { sqlDatabases } from "../support/stores.js"

const tenantA = TenantId.make("0a000000-0000-4000-8000-00000000000a")
const tenantB = TenantId.make("0b000000-0000-4000-8000-00000000000b")
const operatorKeyId = ApiKeyId.make("0f000000-0000-4000-8000-0000000000ff")
const guildA = GuildId.make("100000000000000001")
const guildB = GuildId.make("100000000000000002")

/** Two tenants, each with one installed guild and one key, and an operator key, written through the repositories. */
const seed = Effect.gen(function*() {
  const tenants = yield* TenantRepo
  const keys = yield* ApiKeyRepo
  for (const [tenantId, guildId] of [[tenantA, guildA], [tenantB, guildB]] as const) {
    yield* tenants.insert(makeTenant({ id: tenantId }))
    yield* install({ tenantId, guildId })
    yield* keys.insert(makeKey({ tenantId }))
  }
  yield* keys.insert(ApiKeyRecord.make({ ...makeKey({ tenantId: null }), id: operatorKeyId }))
})

/** The owner of every row an unfiltered SELECT returns: a tenant id, or the key id of an operator key. */
const visibleOwners = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ owner: string }>`SELECT ${
        sql.literal(table.endsWith("tenants") || table === "operator_keys" ? "id" : "tenant_id")
      } AS owner FROM ${sql(table)}`,
      (rows) => rows.map((row) => row.owner).sort()
    ))

/** The database's own words for why a statement failed. */
const databaseMessage = (exit: Exit.Exit<unknown, SqlError>): string => {
  if (Exit.isSuccess(exit)) return "succeeded"
  const error = Cause.squash(exit.cause)
  return error instanceof SqlError && error.cause instanceof Error ? error.cause.message : String(error)
}

const tables = ["tenants", "guilds", "guild_directory", "api_keys"]

for (const database of await sqlDatabases()) {
  describe(`row-level security on ${database.name}`, () => {
    const Seeded = Layer.effectDiscard(Effect.orDie(seed)).pipe(
      Layer.provideMerge(RepositoriesSql),
      Layer.provideMerge(database.layer())
    )

    layer(Seeded)((it) => {
      it.effect("an unfiltered SELECT in tenant A's context returns only A's rows", () =>
        Effect.gen(function*() {
          for (const table of tables) {
            assert.deepStrictEqual(yield* inTenant(tenantA)(visibleOwners(table)), [tenantA], table)
            assert.deepStrictEqual(yield* inTenant(tenantB)(visibleOwners(table)), [tenantB], table)
          }
          assert.deepStrictEqual(yield* inTenant(tenantA)(visibleOwners("operator_keys")), [])
        }))

      it.effect("the platform context sees every tenant's rows", () =>
        Effect.gen(function*() {
          for (const table of tables) {
            assert.deepStrictEqual(yield* asPlatform(visibleOwners(table)), [tenantA, tenantB], table)
          }
          assert.deepStrictEqual(yield* asPlatform(visibleOwners("operator_keys")), [operatorKeyId])
        }))

      it.effect("writing a row of tenant B in tenant A's context is refused", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const attempts = [
            sql`INSERT INTO guilds (tenant_id, guild_id, name, owner_id, status, installed_at)
                VALUES (${tenantB}, '100000000000000009', 'Sneaky', '200000000000000001', 'installed', now())`,
            sql`INSERT INTO api_keys (tenant_id, id, name, prefix, secret_hash, created_at)
                VALUES (${tenantB}, '0b000000-0000-4000-8000-0000000000ff', 'sneaky', 'gh_live_x', 'h', now())`,
            sql`INSERT INTO tenants (id, name, mode, status, plan_key, created_at)
                VALUES ('0c000000-0000-4000-8000-00000000000c', 'Other', 'hosted', 'active', 'free', now())`,
            sql`INSERT INTO operator_keys (id, name, prefix, secret_hash, created_at)
                VALUES ('0d000000-0000-4000-8000-0000000000ff', 'sneaky', 'gh_live_y', 'h', now())`
          ]
          for (const attempt of attempts) {
            const exit = yield* Effect.exit(inTenant(tenantA)(attempt))
            assert.match(databaseMessage(exit), /new row violates row-level security policy/)
          }
          // Updates and deletes of B's rows touch nothing: the rows are invisible.
          const touched = yield* inTenant(tenantA)(Effect.zipRight(
            sql`UPDATE guilds SET name = 'Hijacked' WHERE tenant_id = ${tenantB}`,
            sql`DELETE FROM api_keys WHERE tenant_id = ${tenantB} RETURNING id`
          ))
          assert.deepStrictEqual(touched, [])
          const names = yield* asPlatform(sql<{ name: string }>`SELECT name FROM guilds WHERE tenant_id = ${tenantB}`)
          assert.deepStrictEqual(names.map((row) => row.name), ["Guild"])
          assert.deepStrictEqual(yield* inTenant(tenantB)(visibleOwners("api_keys")), [tenantB])
        }))

      it.effect("the context opened with the transaction ends with it, committed or rolled back", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const context = sql<{ tenant: string | null; role: string }>`
            SELECT nullif(current_setting('app.tenant_id', true), '') AS tenant, current_user AS role
          `
          assert.deepStrictEqual(yield* inTenant(tenantA)(context), [{ tenant: tenantA, role: "guildhall_app" }])
          yield* Effect.exit(inTenant(tenantB)(Effect.zipRight(context, Effect.fail("stop"))))
          // The pool hands the connection on: outside a transaction nothing of either context remains.
          for (let i = 0; i < 3; i++) {
            const [after] = yield* context
            assert.strictEqual(after?.tenant, null)
            assert.notStrictEqual(after?.role, "guildhall_app")
          }
        }))

      it.effect("a tenant id that is not a UUID is a defect, and no statement runs", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          let ran = false
          const exit = yield* Effect.exit(
            // TenantId.make would refuse it; only a cast past the type gets here.
            inTenant("x', true), set_config('app.platform', 'on" as TenantId)(
              Effect.zipRight(Effect.sync(() => (ran = true)), sql`SELECT 1`)
            )
          )
          assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
          assert.isFalse(ran)
        }))

      it.effect("with no context set, the application role sees nothing", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          for (const table of [...tables, "operator_keys"]) {
            const rows = yield* sql.withTransaction(
              Effect.zipRight(sql`SET LOCAL ROLE guildhall_app`, visibleOwners(table))
            )
            assert.deepStrictEqual(rows, [], table)
          }
        }))
    })
  })
}
