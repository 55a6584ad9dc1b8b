import { Either } from "effect"
import type { FeatureDefinition } from "../Feature.js"
import { FeatureRegistry, type FeatureRegistryService } from "../FeatureRegistry.js"
import { analyticsFeature } from "./analytics.js"
import { announcementsFeature } from "./announcements.js"
import { billingFeature } from "./billing.js"
import { paidRolesFeature } from "./paidRoles.js"
import { setupFeature } from "./setup.js"
import { welcomeFeature } from "./welcome.js"
import { xpFeature } from "./xp.js"

export {
  analyticsFeature,
  announcementsFeature,
  billingFeature,
  paidRolesFeature,
  setupFeature,
  welcomeFeature,
  xpFeature
}

/** The features every installation has. Their Discord behaviour (handlers, hooks) comes later. */
export const builtinFeatures: ReadonlyArray<FeatureDefinition> = [
  setupFeature,
  billingFeature,
  welcomeFeature,
  xpFeature,
  paidRolesFeature,
  announcementsFeature,
  analyticsFeature
]

/** The registry of the built-ins; their validity is checked by the test suite, so this never throws in a release. */
export const builtinFeatureRegistry: FeatureRegistryService = Either.getOrThrowWith(
  FeatureRegistry.make(builtinFeatures),
  (error) => new Error(error.message)
)
