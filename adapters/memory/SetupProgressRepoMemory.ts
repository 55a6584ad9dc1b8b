import { Effect, Layer, Option } from "effect"
import { type SetupProgress, SetupProgressRepo } from "../../core/index.js"

/** SetupProgressRepo in memory, with a store of its own (no guild foreign key is checked). */
export const SetupProgressRepoMemory = Layer.sync(SetupProgressRepo, () => {
  const progress = new Map<string, SetupProgress>()
  const key = (tenantId: string, guildId: string) => `${tenantId}/${guildId}`
  return SetupProgressRepo.of({
    get: (tenantId, guildId) => Effect.sync(() => Option.fromNullable(progress.get(key(tenantId, guildId)))),
    save: (saved) => Effect.sync(() => void progress.set(key(saved.tenantId, saved.guildId), saved))
  })
})
