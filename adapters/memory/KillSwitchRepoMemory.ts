import { Effect, Layer } from "effect"
import { allGuilds, KillSwitchRepo } from "../../core/index.js"
import { MemoryStore } from "./MemoryStore.js"
import { compareCodeUnits } from "./ordering.js"
import { writePolicy } from "./policyVersions.js"

export const KillSwitchRepoMemory = Layer.effect(
  KillSwitchRepo,
  Effect.map(MemoryStore, (store) => {
    const { tables } = store
    return KillSwitchRepo.of({
      set: (key, on) =>
        writePolicy(
          store,
          Effect.sync(() => {
            if (on) tables.killSwitches.add(key)
            else tables.killSwitches.delete(key)
            // Every guild's version adds the platform's: one bump changes them all.
            tables.platformPolicyVersion.value += 1
            return [undefined, [allGuilds]] as const
          })
        ),
      list: Effect.sync(() => Array.from(tables.killSwitches).sort(compareCodeUnits))
    })
  })
)
