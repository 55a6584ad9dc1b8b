import { Layer } from "effect"
import { RepositoriesMemory, XpStoreMemory } from "../../adapters/memory/index.js"
import { RepositoriesSql, XpStoreSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { xpStoreContract } from "./XpStore.contract.js"

xpStoreContract({ name: "memory", layer: () => Layer.merge(RepositoriesMemory, XpStoreMemory) })
for (const database of await sqlDatabases()) {
  xpStoreContract({
    name: database.name,
    layer: () => Layer.merge(RepositoriesSql, XpStoreSql).pipe(Layer.provide(database.layer()))
  })
}
