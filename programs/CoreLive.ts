import { Layer } from "effect"
import { NodeCrypto } from "../adapters/crypto/index.js"
import {
  ApiKeys,
  Billing,
  builtinFeatures,
  FeatureRegistry,
  Guardrail,
  GuildEntitlements,
  GuildFeatures,
  GuildRules,
  Overrides,
  PaidRoles,
  PaymentReview,
  PaymentSetup,
  PlanCatalog,
  Quotas,
  Tenancy,
  WhiteLabel
} from "../core/index.js"
import { BotServicesLive } from "./Bot.js"
import { HostingLive } from "./Hosting.js"
import { JobHandlersLive } from "./Housekeeping.js"

/** What every application service stands on: crypto, the plan catalog (with GUILDHALL_PLANS), the built-in features. */
const Foundations = Layer.mergeAll(NodeCrypto, PlanCatalog.layerConfig, FeatureRegistry.layer(builtinFeatures))

const ApplicationServices = Layer.mergeAll(
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
  Layer.provideMerge(Foundations)
)

/**
 * The application services, the bot's services and the job handlers over
 * whatever the runtime provides: the repositories and stores (every port of
 * RepositoriesMemory / RepositoriesSql, QuotaStore, Readiness), the outside
 * systems (DiscordRoles, DiscordCommands, DiscordMessages, DiscordGuilds,
 * StripeGateway, PolarGateway) and BotLinks.
 */
export const CoreLive = JobHandlersLive.pipe(
  Layer.provideMerge(BotServicesLive),
  Layer.provideMerge(ApplicationServices)
)
