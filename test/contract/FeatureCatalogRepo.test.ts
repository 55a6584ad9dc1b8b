import { Layer } from "effect"
import { FeatureCatalogRepoMemory } from "../../adapters/memory/index.js"
import { FeatureCatalogRepoSql } from "../../adapters/postgres/index.js"
import { sqlDatabases } from "../support/stores.js"
import { featureCatalogRepoContract } from "./FeatureCatalogRepo.contract.js"

featureCatalogRepoContract({ name: "memory", layer: () => FeatureCatalogRepoMemory })
for (const database of await sqlDatabases()) {
  featureCatalogRepoContract({
    name: database.name,
    layer: () => FeatureCatalogRepoSql.pipe(Layer.provide(database.layer()))
  })
}
