import { Effect, Layer, Option } from "effect"
import { PlatformSettingsRepo } from "../../core/index.js"

/** Platform settings in a map of their own: nothing else in the memory store reads them. */
export const PlatformSettingsRepoMemory = Layer.sync(PlatformSettingsRepo, () => {
  const settings = new Map<string, string>()
  return PlatformSettingsRepo.of({
    getOrInsert: (key, candidate) =>
      Effect.sync(() => {
        const stored = settings.get(key)
        if (stored !== undefined) return stored
        settings.set(key, candidate)
        return candidate
      }),
    get: (key) => Effect.sync(() => Option.fromNullable(settings.get(key))),
    put: (key, value) => Effect.sync(() => void settings.set(key, value))
  })
})
