import { Effect, Layer, Option } from "effect"
import { TenantBot, TenantBotRepo, type TenantId } from "../../core/index.js"

/** TenantBotRepo in memory, with a store of its own. Tokens stay the Redacted values given. */
export const TenantBotRepoMemory = Layer.sync(TenantBotRepo, () => {
  const bots = new Map<TenantId, TenantBot>()
  return TenantBotRepo.of({
    put: (tenantId, bot) => Effect.sync(() => void bots.set(tenantId, TenantBot.make({ tenantId, ...bot }))),
    get: (tenantId) => Effect.sync(() => Option.fromNullable(bots.get(tenantId))),
    remove: (tenantId) => Effect.sync(() => bots.delete(tenantId)),
    listAll: () =>
      Effect.sync(() =>
        Array.from(bots.values()).sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0))
      )
  })
})
