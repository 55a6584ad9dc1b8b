import { repositoryStores } from "../support/stores.js"
import { tenantRepoContract } from "./TenantRepo.contract.js"

for (const store of await repositoryStores()) tenantRepoContract(store)
