import { policyStores } from "../support/policy.js"
import { guildFeatureRepoContract } from "./GuildFeatureRepo.contract.js"

for (const store of await policyStores()) guildFeatureRepoContract(store)
