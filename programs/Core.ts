import { type ConfigError, type Context, Effect, Layer } from "effect"
import { type InvalidLicenseSigningKey, NodeCrypto } from "../adapters/crypto/index.js"
import {
  type ApiKeyRepo,
  ApiKeys,
  type ArchiveCodec,
  type AuditLog,
  Billing,
  type BillingLedger,
  BotCommands,
  type BotLinks,
  builtinFeatures,
  type CommandHandlerMap,
  type CommandSync,
  type CommandSyncRepo,
  type Crypto,
  type DiscordCommands,
  type DiscordGuilds,
  type DiscordMessages,
  type DiscordRoles,
  type EntitlementRepo,
  type ExportRepo,
  type Exports,
  type ExportSettings,
  type FeatureDefinition,
  FeatureEventHandlers,
  type FeatureEventHandlerSet,
  type FeatureEvents,
  FeatureRegistry,
  Guardrail,
  type GuildClaimRepo,
  GuildEntitlements,
  type GuildFeatureRepo,
  GuildFeatures,
  type GuildRepo,
  GuildRules,
  type Interactions,
  type InvalidFeatureDefinitions,
  type InvalidPlanCatalog,
  JobHandlers,
  type JobKind,
  type Jobs,
  type LeasePolicy,
  type LicenseRepo,
  type Licenses,
  type LicenseSigner,
  type MemberEvents,
  type Offboarding,
  type OffboardingPolicy,
  type OffboardingRepo,
  Overrides,
  type PaidRoleRepo,
  PaidRoles,
  type PaymentOrderRepo,
  PaymentReview,
  type PaymentSettingsRepo,
  PaymentSetup,
  type PlanCatalog,
  type PlatformSettingsRepo,
  type PolarGateway,
  type PolicyCache,
  type PolicyStore,
  Quotas,
  type QuotaStore,
  type RuleRepo,
  type SetupProgressRepo,
  type SetupWizardService,
  type SignatureVerifier,
  type StripeGateway,
  Tenancy,
  type TenantBotRepo,
  type TenantData,
  type TenantRepo,
  type UsageReportRepo,
  WhiteLabel,
  type XpStore
} from "../core/index.js"
import { BotCommandsLive, FeatureEventHandlersLive, makeBotServices } from "./Bot.js"
import { HostingLive } from "./Hosting.js"
import { builtinJobKinds } from "./Housekeeping.js"
import { PlanCatalogLive } from "./Plans.js"

/**
 * What a core is built from beyond its inputs (the repositories and outside
 * systems, see CoreRequirements). Every part but `plans` adds to the
 * built-ins, which the core always has: an embedding backend adds its own
 * features, commands, event handlers and job kinds without editing programs/.
 */
export interface CoreParts {
  /** The plan catalog: by default the built-ins plus GUILDHALL_PLANS (PlanCatalogLive). */
  readonly plans: Layer.Layer<PlanCatalog, CoreError>
  /** Features registered besides the built-in ones (their commands sync to Discord, rules target them). */
  readonly features: ReadonlyArray<FeatureDefinition>
  /** Command groups answered besides the built-in ones: effects building handlers, as BotCommands.layer takes. */
  readonly commands: ReadonlyArray<Effect.Effect<CommandHandlerMap, never, CommandServices>>
  /** Gateway handlers of added features, by feature key, as FeatureEventHandlers.layer takes them. */
  readonly featureEvents: Readonly<Record<string, Effect.Effect<FeatureEventHandlerSet, never, CoreFoundations>>>
  /** Job kinds the worker runs besides the built-in ones (JobKind.make, or Recurring.make with scheduleRecurring). */
  readonly jobs: ReadonlyArray<JobKind.Of<CoreFoundations>>
}

/** The application services: what features, commands and job handlers an embedder adds may use (with CoreRequirements). */
export type ApplicationServices =
  | Crypto
  | PlanCatalog
  | FeatureRegistry
  | GuildEntitlements
  | Billing
  | Tenancy
  | ApiKeys
  | GuildFeatures
  | GuildRules
  | Overrides
  | Quotas
  | PolicyCache
  | Guardrail
  | PaidRoles
  | PaymentReview
  | PaymentSetup
  | WhiteLabel
  | ArchiveCodec
  | LicenseSigner
  | SignatureVerifier
  | LeasePolicy
  | Licenses
  | ExportSettings
  | Exports
  | OffboardingPolicy
  | Offboarding

/** What the bot's command handlers may use: the application services and inputs, and the bot's own services. */
export type CommandServices = ApplicationServices | CoreRequirements | FeatureEvents | SetupWizardService | CommandSync

/** What feature event handlers and job handlers may use. */
export type CoreFoundations = ApplicationServices | CoreRequirements

/** Everything a core provides: the application services, the bot's services and the job handlers. */
export type CoreServices =
  | ApplicationServices
  | Interactions
  | MemberEvents
  | FeatureEvents
  | SetupWizardService
  | CommandSync
  | JobHandlers

/** Why a core fails to build: an invalid plan catalog, feature registry, signing key, or configuration. */
export type CoreError =
  | InvalidPlanCatalog
  | InvalidFeatureDefinitions
  | InvalidLicenseSigningKey
  | ConfigError.ConfigError

/** What a core is built over: the repositories and stores, the outside systems (Discord, Stripe, Polar) and BotLinks. */
export type CoreRequirements =
  | ApiKeyRepo
  | TenantRepo
  | GuildRepo
  | GuildClaimRepo
  | TenantBotRepo
  | EntitlementRepo
  | GuildFeatureRepo
  | RuleRepo
  | PolicyStore
  | QuotaStore
  | Jobs
  | BillingLedger
  | PaidRoleRepo
  | PaymentOrderRepo
  | PaymentSettingsRepo
  | CommandSyncRepo
  | SetupProgressRepo
  | XpStore
  | PlatformSettingsRepo
  | AuditLog
  | TenantData
  | ExportRepo
  | LicenseRepo
  | UsageReportRepo
  | OffboardingRepo
  | StripeGateway
  | PolarGateway
  | DiscordRoles
  | DiscordCommands
  | DiscordGuilds
  | DiscordMessages
  | BotLinks

const builtinParts: CoreParts = { plans: PlanCatalogLive, features: [], commands: [], featureEvents: {}, jobs: [] }

/** The built-in layer's map with the additions merged in; `merge` throws when two entries share a key. */
const withAdditions = <I, M, E, R, R2>(
  tag: Context.Tag<I, M>,
  builtin: Layer.Layer<I, E, R>,
  additions: ReadonlyArray<Effect.Effect<M, never, R2>>,
  merge: (...maps: ReadonlyArray<M>) => M
) =>
  Layer.effect(
    tag,
    Effect.gen(function*() {
      const builtins = yield* tag
      return merge(builtins, ...(yield* Effect.all(additions)))
    })
  ).pipe(Layer.provide(builtin))

const mergeFeatureEvents = (...maps: ReadonlyArray<ReadonlyMap<string, FeatureEventHandlerSet>>) => {
  const merged = new Map<string, FeatureEventHandlerSet>()
  for (const [key, handlers] of maps.flatMap((map) => Array.from(map))) {
    if (merged.has(key)) throw new Error(`Two sets of event handlers for the feature ${key}`)
    merged.set(key, handlers)
  }
  return merged
}

const applicationServices = (parts: CoreParts) =>
  Layer.mergeAll(
    HostingLive,
    Tenancy.layer,
    ApiKeys.layer,
    GuildFeatures.layer,
    GuildRules.layer,
    Overrides.layer,
    Quotas.layer,
    Guardrail.layer,
    PaymentReview.layer.pipe(Layer.provideMerge(PaidRoles.layer)),
    PaymentSetup.layer,
    WhiteLabel.layer
  ).pipe(
    Layer.provideMerge(Billing.layer),
    Layer.provideMerge(GuildEntitlements.layer),
    Layer.provideMerge(
      Layer.mergeAll(NodeCrypto, parts.plans, FeatureRegistry.layer([...builtinFeatures, ...parts.features]))
    )
  )

/**
 * THE composition root: the application services, the bot's services and
 * the job handlers, built from `parts` (defaults: the built-ins and
 * PlanCatalogLive) over what the runtime provides (CoreRequirements). The
 * runners, the test runtime, the HTTP test harness and the benches all
 * build their core here.
 */
export const makeCore = (
  parts: Partial<CoreParts> = {}
): Layer.Layer<CoreServices, CoreError, CoreRequirements> => {
  const all: CoreParts = { ...builtinParts, ...parts }
  const commands = withAdditions(BotCommands, BotCommandsLive, all.commands, BotCommands.merge)
  const featureEvents = withAdditions(
    FeatureEventHandlers,
    FeatureEventHandlersLive,
    Object.entries(all.featureEvents).map(([key, handlers]) => Effect.map(handlers, (set) => new Map([[key, set]]))),
    mergeFeatureEvents
  )
  const jobs = JobHandlers.layer(...builtinJobKinds, ...all.jobs)
  return jobs.pipe(
    Layer.provideMerge(makeBotServices(commands, featureEvents)),
    Layer.provideMerge(applicationServices(all))
  )
}

/** The core with the built-in parts and the operator's GUILDHALL_PLANS: what the runners boot. */
export const CoreLive = makeCore()
