import { Layer } from "effect"
import { NodeCrypto } from "../adapters/crypto/index.js"
import { ApiKeys, PlanCatalog, Tenancy } from "../core/index.js"

/** The application services over whatever repositories the runtime provides; plans from GUILDHALL_PLANS. */
export const CoreLive = Layer.mergeAll(Tenancy.layer, ApiKeys.layer).pipe(
  Layer.provideMerge(Layer.merge(NodeCrypto, PlanCatalog.layerConfig))
)
