import { Layer } from "effect"
import { NodeCrypto } from "../adapters/crypto/index.js"
import { ApiKeys, builtinFeatures, FeatureRegistry, PlanCatalog, Tenancy } from "../core/index.js"

/** The application services over whatever repositories the runtime provides; plans from GUILDHALL_PLANS, the built-in features. */
export const CoreLive = Layer.mergeAll(Tenancy.layer, ApiKeys.layer).pipe(
  Layer.provideMerge(Layer.mergeAll(NodeCrypto, PlanCatalog.layerConfig, FeatureRegistry.layer(builtinFeatures)))
)
