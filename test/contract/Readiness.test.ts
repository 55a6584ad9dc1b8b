import { repositoryStores } from "../support/stores.js"
import { readinessContract } from "./Readiness.contract.js"

for (const store of await repositoryStores()) readinessContract(store)
