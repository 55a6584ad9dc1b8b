import { Effect, Layer, Option, Stream } from "effect"
import { type PolicySource, PolicyStore } from "../../core/index.js"
import { guildKey, MemoryStore } from "./MemoryStore.js"
import { compareCodeUnits, featureOrder, heldAddOnOrder, overrideOrder, ruleOrder } from "./ordering.js"

/** Guild policies read from the memory tables; `changes` hears the memory repositories' writes in this process. */
export const PolicyStoreMemory = Layer.effect(
  PolicyStore,
  Effect.map(MemoryStore, (store) => {
    const { tables } = store
    return PolicyStore.of({
      load: (guildId) =>
        store.atomically(Effect.sync(() => {
          const tenantId = tables.guildDirectory.get(guildId)
          const tenant = tenantId === undefined ? undefined : tables.tenants.get(tenantId)
          const guild = tenantId === undefined ? undefined : tables.guilds.get(guildKey(tenantId, guildId))
          if (tenantId === undefined || tenant === undefined || guild === undefined) return Option.none()
          const key = guildKey(tenantId, guildId)
          const source: PolicySource = {
            tenant,
            guild,
            held: Array.from(tables.heldAddOns.get(tenantId)?.values() ?? []).sort(heldAddOnOrder),
            overrides: Array.from(tables.overrides.get(tenantId)?.values() ?? [])
              .filter((override) => override.guildId === null || override.guildId === guildId)
              .sort(overrideOrder),
            features: Array.from(tables.guildFeatures.get(key)?.values() ?? []).sort(featureOrder),
            rules: Array.from(tables.rules.get(key)?.values() ?? []).sort(ruleOrder),
            killSwitches: Array.from(tables.killSwitches).sort(compareCodeUnits),
            version: (tables.policyVersions.get(key) ?? 0) + tables.platformPolicyVersion.value
          }
          return Option.some(source)
        })),
      changes: Stream.fromPubSub(store.policyChanges)
    })
  })
)
