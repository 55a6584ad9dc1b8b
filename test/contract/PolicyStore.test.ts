import { policyStores } from "../support/policy.js"
import { policyStoreContract } from "./PolicyStore.contract.js"

for (const store of await policyStores()) policyStoreContract(store)
