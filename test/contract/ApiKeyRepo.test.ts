import { repositoryStores } from "../support/stores.js"
import { apiKeyRepoContract } from "./ApiKeyRepo.contract.js"

for (const store of await repositoryStores()) apiKeyRepoContract(store)
