import { Effect, Layer } from "effect"
import { Readiness } from "../../core/index.js"
import { ApiKeyRepoMemory } from "./ApiKeyRepoMemory.js"
import { BillingLedgerMemory } from "./BillingLedgerMemory.js"
import { CommandSyncRepoMemory } from "./CommandSyncRepoMemory.js"
import { EntitlementRepoMemory } from "./EntitlementRepoMemory.js"
import { FeatureCatalogRepoMemory } from "./FeatureCatalogRepoMemory.js"
import { GuildClaimRepoMemory } from "./GuildClaimRepoMemory.js"
import { GuildFeatureRepoMemory } from "./GuildFeatureRepoMemory.js"
import { GuildRepoMemory } from "./GuildRepoMemory.js"
import { AuditLogMemory, ExportRepoMemory, OffboardingRepoMemory, TenantDataMemory } from "./HostingMemory.js"
import { JobsMemory } from "./JobsMemory.js"
import { KillSwitchRepoMemory } from "./KillSwitchRepoMemory.js"
import { LicenseRepoMemory } from "./LicenseRepoMemory.js"
import { MemoryStore } from "./MemoryStore.js"
import { PaidRoleRepoMemory } from "./PaidRoleRepoMemory.js"
import { PaymentOrderRepoMemory } from "./PaymentOrderRepoMemory.js"
import { PaymentSettingsRepoMemory } from "./PaymentSettingsRepoMemory.js"
import { PlatformSettingsRepoMemory } from "./PlatformSettingsRepoMemory.js"
import { PolicyStoreMemory } from "./PolicyStoreMemory.js"
import { RuleRepoMemory } from "./RuleRepoMemory.js"
import { SetupProgressRepoMemory } from "./SetupProgressRepoMemory.js"
import { TenantBotRepoMemory } from "./TenantBotRepoMemory.js"
import { TenantRepoMemory } from "./TenantRepoMemory.js"
import { UsageReportRepoMemory } from "./UsageReportRepoMemory.js"
import { XpStoreMemory } from "./XpStoreMemory.js"

export {
  DiscordCommandsMemory,
  DiscordCommandsMemoryControl,
  type DiscordCommandsMemoryControlService,
  type RecordedCommandPut
} from "./DiscordCommandsMemory.js"
export {
  DiscordGuildsMemory,
  DiscordGuildsMemoryControl,
  type DiscordGuildsMemoryControlService,
  type MemoryGuild
} from "./DiscordGuildsMemory.js"
export {
  DiscordMessagesMemory,
  DiscordMessagesMemoryControl,
  type DiscordMessagesMemoryControlService
} from "./DiscordMessagesMemory.js"
export {
  DiscordRolesMemory,
  DiscordRolesMemoryControl,
  type DiscordRolesMemoryControlService,
  type RecordedRoleChange
} from "./DiscordRolesMemory.js"
export { QuotaStoreMemory } from "./QuotaStoreMemory.js"
export { GuildClaimRepoMemory, PlatformSettingsRepoMemory }
export {
  ApiKeyRepoMemory,
  BillingLedgerMemory,
  CommandSyncRepoMemory,
  EntitlementRepoMemory,
  FeatureCatalogRepoMemory,
  GuildFeatureRepoMemory,
  GuildRepoMemory,
  JobsMemory,
  KillSwitchRepoMemory,
  LicenseRepoMemory,
  MemoryStore,
  PaidRoleRepoMemory,
  PaymentOrderRepoMemory,
  PaymentSettingsRepoMemory,
  PolicyStoreMemory,
  RuleRepoMemory,
  SetupProgressRepoMemory,
  TenantBotRepoMemory,
  TenantRepoMemory,
  UsageReportRepoMemory,
  XpStoreMemory
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

export { AuditLogMemory, ExportRepoMemory, OffboardingRepoMemory, TenantDataMemory } from "./HostingMemory.js"

/** Every repository port, in memory, over one shared store. */
export const RepositoriesMemory = Layer.mergeAll(
  TenantRepoMemory,
  GuildRepoMemory,
  ApiKeyRepoMemory,
  GuildPolicyMemory,
  FeatureCatalogRepoMemory,
  GuildClaimRepoMemory,
  PlatformSettingsRepoMemory,
  BillingMemory,
  XpStoreMemory,
  SetupProgressRepoMemory,
  CommandSyncRepoMemory,
  TenantBotRepoMemory,
  LicenseRepoMemory,
  UsageReportRepoMemory,
  ExportRepoMemory,
  OffboardingRepoMemory,
  AuditLogMemory,
  TenantDataMemory
).pipe(
  Layer.provideMerge(MemoryStore.layer)
)

/** The memory store is always ready. */
export const ReadinessMemory = Layer.succeed(Readiness, Readiness.of({ check: Effect.void }))
