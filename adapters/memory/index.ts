import { Effect, Layer } from "effect"
import { Readiness } from "../../core/index.js"
import { ApiKeyRepoMemory } from "./ApiKeyRepoMemory.js"
import { EntitlementRepoMemory } from "./EntitlementRepoMemory.js"
import { FeatureCatalogRepoMemory } from "./FeatureCatalogRepoMemory.js"
import { GuildFeatureRepoMemory } from "./GuildFeatureRepoMemory.js"
import { GuildRepoMemory } from "./GuildRepoMemory.js"
import { KillSwitchRepoMemory } from "./KillSwitchRepoMemory.js"
import { MemoryStore } from "./MemoryStore.js"
import { PolicyStoreMemory } from "./PolicyStoreMemory.js"
import { RuleRepoMemory } from "./RuleRepoMemory.js"
import { TenantRepoMemory } from "./TenantRepoMemory.js"

export { BillingLedgerMemory } from "./BillingLedgerMemory.js"
export {
  discordRoleError,
  DiscordRolesMemory,
  DiscordRolesMemoryControl,
  type DiscordRolesMemoryControlService,
  type RecordedRoleChange
} from "./DiscordRolesMemory.js"
export { JobsMemory } from "./JobsMemory.js"
export { PaidRoleRepoMemory } from "./PaidRoleRepoMemory.js"
export { PaymentOrderRepoMemory } from "./PaymentOrderRepoMemory.js"
export { PaymentSettingsRepoMemory } from "./PaymentSettingsRepoMemory.js"
export { QuotaStoreMemory } from "./QuotaStoreMemory.js"
export {
  ApiKeyRepoMemory,
  EntitlementRepoMemory,
  FeatureCatalogRepoMemory,
  GuildFeatureRepoMemory,
  GuildRepoMemory,
  KillSwitchRepoMemory,
  MemoryStore,
  PolicyStoreMemory,
  RuleRepoMemory,
  TenantRepoMemory
}

/** The guild policy ports (writes, and the PolicyStore that reads and hears them) over the MemoryStore in context. */
export const GuildPolicyMemory = Layer.mergeAll(
  GuildFeatureRepoMemory,
  RuleRepoMemory,
  EntitlementRepoMemory,
  KillSwitchRepoMemory,
  PolicyStoreMemory
)

/** Every repository port, in memory, over one shared store. */
export const RepositoriesMemory = Layer.mergeAll(
  TenantRepoMemory,
  GuildRepoMemory,
  ApiKeyRepoMemory,
  GuildPolicyMemory,
  FeatureCatalogRepoMemory
).pipe(
  Layer.provideMerge(MemoryStore.layer)
)

/** The memory store is always ready. */
export const ReadinessMemory = Layer.succeed(Readiness, Readiness.of({ check: Effect.void }))
