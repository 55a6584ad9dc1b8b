import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { assert, describe, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { inTenant, RepositoriesSql } from "../../adapters/postgres/index.js"
import { SetupProgressRepo, SetupWizard, TenantRepo } from "../../core/index.js"
import { at, install, makeTenant, newGuildId } from "../support/fixtures.js"
import { sqlDatabases } from "../support/stores.js"

const tenantA = makeTenant({ name: "A" })
const tenantB = makeTenant({ name: "B" })
const guildA = newGuildId()
const guildB = newGuildId()

const seed = Effect.gen(function*() {
  const tenants = yield* TenantRepo
  const progress = yield* SetupProgressRepo
  for (const [tenant, guildId] of [[tenantA, guildA], [tenantB, guildB]] as const) {
    yield* tenants.insert(tenant)
    yield* install({ tenantId: tenant.id, guildId })
    yield* progress.save(SetupWizard.initial(tenant.id, guildId, at(1_000)))
  }
})

const databaseMessage = (exit: Exit.Exit<unknown, SqlError>): string => {
  if (Exit.isSuccess(exit)) return "succeeded"
  const error = Cause.squash(exit.cause)
  return error instanceof SqlError && error.cause instanceof Error ? error.cause.message : String(error)
}

for (const database of await sqlDatabases()) {
  describe(`setup_progress row-level security on ${database.name}`, () => {
    const Seeded = Layer.effectDiscard(Effect.orDie(seed)).pipe(
      Layer.provideMerge(RepositoriesSql),
      Layer.provideMerge(database.layer())
    )

    layer(Seeded, { timeout: 60_000 })((it) => {
      it.effect("a tenant's context sees and writes only its own guilds' progress", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const visible = yield* inTenant(tenantA.id)(sql<{ guild_id: string }>`SELECT guild_id FROM setup_progress`)
          assert.deepStrictEqual(visible.map((row) => row.guild_id), [guildA])

          const sneaky = yield* Effect.exit(
            inTenant(tenantA.id)(sql`
            INSERT INTO setup_progress (tenant_id, guild_id, step, chosen_features, roles, offered_providers,
                                        updated_at)
            VALUES (${tenantB.id}, ${guildB}, 'done', '[]', '[]', '[]', now())
            ON CONFLICT (tenant_id, guild_id) DO UPDATE SET step = 'done'`)
          )
          assert.match(databaseMessage(sneaky), /row-level security/)
          const touched = yield* inTenant(tenantA.id)(
            sql`UPDATE setup_progress SET step = 'done' WHERE tenant_id = ${tenantB.id} RETURNING 1`
          )
          assert.deepStrictEqual(touched, [])
          const theirs = Option.getOrThrow(yield* (yield* SetupProgressRepo).get(tenantB.id, guildB))
          assert.strictEqual(theirs.step, "features")
        }))
    })
  })
}
