import { Layer } from "effect"
import { RepositoriesMemory } from "../../adapters/memory/index.js"
import { RepositoriesSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { guildClaimRepoContract } from "./GuildClaimRepo.contract.js"

guildClaimRepoContract({ name: "memory", layer: () => RepositoriesMemory })
for (const database of await sqlDatabases()) {
  guildClaimRepoContract({ name: database.name, layer: () => RepositoriesSql.pipe(Layer.provide(database.layer())) })
}
