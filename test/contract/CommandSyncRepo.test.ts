import { SqlClient } from "@effect/sql"
import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { Layer } from "effect"
import { CommandSyncRepoMemory, RepositoriesMemory } from "../../adapters/memory/index.js"
import { inTenant, RepositoriesSql } from "../../adapters/postgres/index.js"
import { CommandSyncRepo } from "../../core/index.js"
import { tenantWithGuilds } from "../support/policy.js"
import { sqlDatabases } from "../support/stores.js"
import { commandSyncRepoContract, makeSyncState, newApplicationId } from "./CommandSyncRepo.contract.js"

commandSyncRepoContract({ name: "memory", layer: () => Layer.merge(RepositoriesMemory, CommandSyncRepoMemory) })
for (const database of await sqlDatabases()) {
  const sqlLayer = () => RepositoriesSql.pipe(Layer.provideMerge(database.layer()))
  commandSyncRepoContract({ name: database.name, layer: sqlLayer })

  // Row-level security, below the repository: another tenant's context neither changes nor deletes the row.
  layer(sqlLayer(), { timeout: 60_000 })(`command_syncs row-level security on ${database.name}`, (it) => {
    it.effect("another tenant's context cannot update or delete a tenant's command sync state", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const repo = yield* CommandSyncRepo
        const owner = yield* tenantWithGuilds()
        const intruder = yield* tenantWithGuilds()
        const applicationId = newApplicationId()
        const state = makeSyncState({ tenantId: owner.tenantId, guildId: owner.guildIds[0], applicationId })
        yield* repo.save(state)

        const updated =
          yield* sql`UPDATE command_syncs SET hash = 'stolen' WHERE application_id = ${applicationId} RETURNING 1`
            .pipe(inTenant(intruder.tenantId))
        const deleted = yield* sql`DELETE FROM command_syncs WHERE application_id = ${applicationId} RETURNING 1`
          .pipe(inTenant(intruder.tenantId))
        const seen = yield* sql`SELECT 1 FROM command_syncs WHERE application_id = ${applicationId}`
          .pipe(inTenant(intruder.tenantId))
        assert.strictEqual(updated.length, 0)
        assert.strictEqual(deleted.length, 0)
        assert.strictEqual(seen.length, 0)
        assert.deepStrictEqual(yield* repo.get(owner.tenantId, owner.guildIds[0], applicationId), Option.some(state))

        const inserted = yield* Effect.exit(
          sql`INSERT INTO command_syncs (tenant_id, guild_id, application_id) VALUES (${owner.tenantId}, ${
            owner.guildIds[0]
          }, ${newApplicationId()})`
            .pipe(inTenant(intruder.tenantId))
        )
        assert.isTrue(inserted._tag === "Failure", "inserting a row of another tenant must be refused")
      }).pipe(Effect.orDie))
  })
}
