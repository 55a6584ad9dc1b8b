import { Effect, Layer, Option } from "effect"
import { CommandSyncRepo, type CommandSyncState } from "../../core/index.js"
import { compareCodeUnits } from "./ordering.js"

const stateKey = (tenantId: string, guildId: string, applicationId: string) => `${tenantId}/${guildId}/${applicationId}`

/** By tenant, then guild: the order CommandSyncRepoSql lists in. */
const stateOrder = (a: CommandSyncState, b: CommandSyncState): number =>
  compareCodeUnits(a.tenantId, b.tenantId) || compareCodeUnits(a.guildId, b.guildId)

/** CommandSyncRepo in memory, with a store of its own (no guild foreign key is checked). */
export const CommandSyncRepoMemory = Layer.sync(CommandSyncRepo, () => {
  const states = new Map<string, CommandSyncState>()
  return CommandSyncRepo.of({
    get: (tenantId, guildId, applicationId) =>
      Effect.sync(() => Option.fromNullable(states.get(stateKey(tenantId, guildId, applicationId)))),
    listByApplication: (applicationId) =>
      Effect.sync(() =>
        Array.from(states.values()).filter((state) => state.applicationId === applicationId).sort(stateOrder)
      ),
    save: (state) =>
      Effect.sync(() => void states.set(stateKey(state.tenantId, state.guildId, state.applicationId), state))
  })
})
