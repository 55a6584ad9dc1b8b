import { Layer } from "effect"
import { RepositoriesMemory, SetupProgressRepoMemory } from "../../adapters/memory/index.js"
import { RepositoriesSql, SetupProgressRepoSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { setupProgressRepoContract } from "./SetupProgressRepo.contract.js"

setupProgressRepoContract({ name: "memory", layer: () => Layer.merge(RepositoriesMemory, SetupProgressRepoMemory) })
for (const database of await sqlDatabases()) {
  setupProgressRepoContract({
    name: database.name,
    layer: () => Layer.merge(RepositoriesSql, SetupProgressRepoSql).pipe(Layer.provide(database.layer()))
  })
}
