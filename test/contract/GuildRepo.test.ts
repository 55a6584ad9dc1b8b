import { repositoryStores } from "../support/stores.js"
import { guildRepoContract } from "./GuildRepo.contract.js"

for (const store of await repositoryStores()) guildRepoContract(store)
