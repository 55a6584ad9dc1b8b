import { Config, Effect, Layer, Option } from "effect"
import { parseCatalogConfig, PlanCatalog } from "../core/index.js"

/** The built-ins plus the operator's GUILDHALL_PLANS, if set; fails the boot when it is invalid. */
export const PlanCatalogLive = Layer.effect(
  PlanCatalog,
  Effect.gen(function*() {
    const json = yield* Config.option(Config.string("GUILDHALL_PLANS"))
    const definitions = Option.isSome(json) ? yield* parseCatalogConfig(json.value) : {}
    return PlanCatalog.make(definitions)
  })
)
