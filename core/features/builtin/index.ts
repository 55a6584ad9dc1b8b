import { Either } from "effect"
import type { FeatureDefinition } from "../Feature.js"
import { FeatureRegistry, type FeatureRegistryService } from "../FeatureRegistry.js"
import { announcementsFeature } from "./announcements.js"
import { billingFeature } from "./billing.js"
import { paidRolesFeature } from "./paidRoles.js"
import { setupFeature } from "./setup.js"
import { welcomeFeature } from "./welcome.js"
import { xpFeature } from "./xp.js"

export { announcementsFeature, billingFeature, paidRolesFeature, setupFeature, welcomeFeature, xpFeature }

/**
 * The features every installation has. A feature is registered (and its
 * commands synced to Discord) only once the bot answers its commands:
 * analytics (/stats) returns with the issue that builds it.
 */
export const builtinFeatures: ReadonlyArray<FeatureDefinition> = [
  setupFeature,
  billingFeature,
  welcomeFeature,
  xpFeature,
  paidRolesFeature,
  announcementsFeature
]

/** The registry of the built-ins; their validity is checked by the test suite, so this never throws in a release. */
export const builtinFeatureRegistry: FeatureRegistryService = Either.getOrThrowWith(
  FeatureRegistry.make(builtinFeatures),
  (error) => new Error(error.message)
)
