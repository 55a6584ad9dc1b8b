import { Layer } from "effect"
import { PaidRoleRepoMemory, RepositoriesMemory } from "../../adapters/memory/index.js"
import { PaidRoleRepoSql, RepositoriesSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { paidRoleRepoContract } from "./PaidRoleRepo.contract.js"

paidRoleRepoContract({ name: "memory", layer: () => Layer.merge(RepositoriesMemory, PaidRoleRepoMemory) })
for (const database of await sqlDatabases()) {
  paidRoleRepoContract({
    name: database.name,
    layer: () => Layer.merge(RepositoriesSql, PaidRoleRepoSql).pipe(Layer.provide(database.layer()))
  })
}
