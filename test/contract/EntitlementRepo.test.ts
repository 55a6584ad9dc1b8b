import { policyStores } from "../support/policy.js"
import { entitlementRepoContract } from "./EntitlementRepo.contract.js"

for (const store of await policyStores()) entitlementRepoContract(store)
