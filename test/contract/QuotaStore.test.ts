import { Layer } from "effect"
import { MemoryStore, QuotaStoreMemory, TenantRepoMemory } from "../../adapters/memory/index.js"
import { QuotaStoreSql, TenantRepoSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { quotaStoreContract } from "./QuotaStore.contract.js"

// Tenants are stored too: the SQL counters reference their tenant.
quotaStoreContract({
  name: "memory",
  layer: () => Layer.merge(QuotaStoreMemory, TenantRepoMemory.pipe(Layer.provide(MemoryStore.layer)))
})
for (const database of await sqlDatabases()) {
  quotaStoreContract({
    name: database.name,
    layer: () => Layer.merge(QuotaStoreSql, TenantRepoSql).pipe(Layer.provide(database.layer()))
  })
}
