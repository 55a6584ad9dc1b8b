import { Effect, Layer } from "effect"
import { Readiness } from "../../core/index.js"
import { ApiKeyRepoMemory } from "./ApiKeyRepoMemory.js"
import { BillingLedgerMemory } from "./BillingLedgerMemory.js"
import { EntitlementRepoMemory } from "./EntitlementRepoMemory.js"
import { FeatureCatalogRepoMemory } from "./FeatureCatalogRepoMemory.js"
import { GuildFeatureRepoMemory } from "./GuildFeatureRepoMemory.js"
import { GuildRepoMemory } from "./GuildRepoMemory.js"
import { JobsMemory } from "./JobsMemory.js"
import { KillSwitchRepoMemory } from "./KillSwitchRepoMemory.js"
import { MemoryStore } from "./MemoryStore.js"
import { PaidRoleRepoMemory } from "./PaidRoleRepoMemory.js"
import { PaymentOrderRepoMemory } from "./PaymentOrderRepoMemory.js"
import { PaymentSettingsRepoMemory } from "./PaymentSettingsRepoMemory.js"
import { PolicyStoreMemory } from "./PolicyStoreMemory.js"
import { RuleRepoMemory } from "./RuleRepoMemory.js"
import { TenantRepoMemory } from "./TenantRepoMemory.js"

export {
  DiscordRolesMemory,
  DiscordRolesMemoryControl,
  type DiscordRolesMemoryControlService,
  type RecordedRoleChange
} from "./DiscordRolesMemory.js"
export { QuotaStoreMemory } from "./QuotaStoreMemory.js"
export {
  ApiKeyRepoMemory,
  BillingLedgerMemory,
  EntitlementRepoMemory,
  FeatureCatalogRepoMemory,
  GuildFeatureRepoMemory,
  GuildRepoMemory,
  JobsMemory,
  KillSwitchRepoMemory,
  MemoryStore,
  PaidRoleRepoMemory,
  PaymentOrderRepoMemory,
  PaymentSettingsRepoMemory,
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

/**
 * Billing and payments in memory: the job outbox, the ledger (which enqueues into it and reads the paid
 * roles), paid roles, orders, settings.
 */
export const BillingMemory = Layer.mergeAll(
  BillingLedgerMemory,
  PaymentOrderRepoMemory,
  PaymentSettingsRepoMemory
).pipe(Layer.provideMerge(Layer.merge(JobsMemory, PaidRoleRepoMemory)))

/** Every repository port, in memory, over one shared store. */
export const RepositoriesMemory = Layer.mergeAll(
  TenantRepoMemory,
  GuildRepoMemory,
  ApiKeyRepoMemory,
  GuildPolicyMemory,
  FeatureCatalogRepoMemory,
  BillingMemory
).pipe(
  Layer.provideMerge(MemoryStore.layer)
)

/** The memory store is always ready. */
export const ReadinessMemory = Layer.succeed(Readiness, Readiness.of({ check: Effect.void }))
