import { Layer } from "effect"
import { PaymentOrderRepoMemory, RepositoriesMemory } from "../../adapters/memory/index.js"
import { PaymentOrderRepoSql, RepositoriesSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { paymentOrderRepoContract } from "./PaymentOrderRepo.contract.js"

paymentOrderRepoContract({ name: "memory", layer: () => Layer.merge(RepositoriesMemory, PaymentOrderRepoMemory) })
for (const database of await sqlDatabases()) {
  paymentOrderRepoContract({
    name: database.name,
    layer: () => Layer.merge(RepositoriesSql, PaymentOrderRepoSql).pipe(Layer.provide(database.layer()))
  })
}
