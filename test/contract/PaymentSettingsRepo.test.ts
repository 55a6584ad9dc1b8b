import { Layer } from "effect"
import { PaymentSettingsRepoMemory, RepositoriesMemory } from "../../adapters/memory/index.js"
import { PaymentSettingsRepoSql, RepositoriesSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { paymentSettingsRepoContract } from "./PaymentSettingsRepo.contract.js"

paymentSettingsRepoContract({
  name: "memory",
  layer: () => Layer.merge(RepositoriesMemory, PaymentSettingsRepoMemory)
})
for (const database of await sqlDatabases()) {
  paymentSettingsRepoContract({
    name: database.name,
    layer: () => Layer.merge(RepositoriesSql, PaymentSettingsRepoSql).pipe(Layer.provide(database.layer()))
  })
}
