import { Layer } from "effect"
import { BillingLedgerMemory, JobsMemory, RepositoriesMemory } from "../../adapters/memory/index.js"
import { BillingLedgerSql, JobsSql, RepositoriesSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { billingLedgerContract } from "./BillingLedger.contract.js"

billingLedgerContract({
  name: "memory",
  layer: () => Layer.merge(RepositoriesMemory, BillingLedgerMemory.pipe(Layer.provideMerge(JobsMemory)))
})
for (const database of await sqlDatabases()) {
  billingLedgerContract({
    name: database.name,
    layer: () =>
      Layer.merge(RepositoriesSql, BillingLedgerSql.pipe(Layer.provideMerge(JobsSql))).pipe(
        Layer.provide(database.layer())
      )
  })
}
