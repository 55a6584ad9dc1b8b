import { Layer } from "effect"
import { RepositoriesMemory } from "../../adapters/memory/index.js"
import { RepositoriesSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { tenantBotRepoContract } from "./TenantBotRepo.contract.js"

tenantBotRepoContract({ name: "memory", layer: () => RepositoriesMemory })
for (const database of await sqlDatabases()) {
  tenantBotRepoContract({ name: database.name, layer: () => RepositoriesSql.pipe(Layer.provide(database.layer())) })
}
