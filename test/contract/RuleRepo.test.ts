import { policyStores } from "../support/policy.js"
import { ruleRepoContract } from "./RuleRepo.contract.js"

for (const store of await policyStores()) ruleRepoContract(store)
