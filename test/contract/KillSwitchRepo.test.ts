import { policyStores } from "../support/policy.js"
import { killSwitchRepoContract } from "./KillSwitchRepo.contract.js"

for (const store of await policyStores()) killSwitchRepoContract(store)
