import { Layer } from "effect"
import { NodeCrypto } from "../adapters/crypto/index.js"
import {
  ApiKeys,
  builtinFeatures,
  FeatureRegistry,
  Guardrail,
  GuildEntitlements,
  GuildFeatures,
  GuildRules,
  Overrides,
  PlanCatalog,
  Quotas,
  Tenancy
} from "../core/index.js"

/** What every application service stands on: crypto, the plan catalog (with GUILDHALL_PLANS), the built-in features. */
const Foundations = Layer.mergeAll(NodeCrypto, PlanCatalog.layerConfig, FeatureRegistry.layer(builtinFeatures))

/**
 * The application services over whatever repositories and stores the runtime
 * provides (TenantRepo, GuildRepo, ApiKeyRepo, the guild-policy repos,
 * FeatureCatalogRepo, PolicyStore, QuotaStore, Readiness).
 */
export const CoreLive = Layer.mergeAll(
  Tenancy.layer,
  ApiKeys.layer,
  GuildFeatures.layer,
  GuildRules.layer,
  Overrides.layer,
  Quotas.layer,
  Guardrail.layer
).pipe(
  Layer.provideMerge(GuildEntitlements.layer),
  Layer.provideMerge(Foundations)
)
