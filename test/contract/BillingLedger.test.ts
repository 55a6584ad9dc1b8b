import { Layer } from "effect"
import { RepositoriesMemory } from "../../adapters/memory/index.js"
import { BillingLedgerSql, JobsSql, RepositoriesSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { billingLedgerContract } from "./BillingLedger.contract.js"

billingLedgerContract({
  name: "memory",
  // BillingMemory's ledger, over its job outbox and paid roles.
  layer: () => RepositoriesMemory
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
