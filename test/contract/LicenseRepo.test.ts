import { Layer } from "effect"
import { RepositoriesMemory } from "../../adapters/memory/index.js"
import { RepositoriesSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { licenseRepoContract } from "./LicenseRepo.contract.js"

licenseRepoContract({ name: "memory", layer: () => RepositoriesMemory })
for (const database of await sqlDatabases()) {
  licenseRepoContract({ name: database.name, layer: () => RepositoriesSql.pipe(Layer.provide(database.layer())) })
}
