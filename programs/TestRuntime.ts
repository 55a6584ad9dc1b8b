import { Layer, TestContext } from "effect"
import {
  DiscordCommandsMemory,
  DiscordGuildsMemory,
  DiscordMessagesMemory,
  DiscordRolesMemory,
  QuotaStoreMemory,
  ReadinessMemory,
  RepositoriesMemory
} from "../adapters/memory/index.js"
import { PolarGatewayOf } from "../adapters/polar/index.js"
import { notConfiguredStripeGateway } from "../adapters/stripe/index.js"
import { BotLinks, StripeGateway } from "../core/index.js"
import { type CoreParts, makeCore } from "./Core.js"
import { botLinksOf } from "./Settings.js"

/**
 * Discord in memory (inspect it with the *MemoryControl tags), Stripe not
 * configured, Polar's SDK as configured per tenant, checkouts returning to
 * localhost.
 */
export const TestOutsideSystems = Layer.mergeAll(
  DiscordRolesMemory,
  DiscordCommandsMemory,
  DiscordMessagesMemory,
  DiscordGuildsMemory,
  Layer.succeed(BotLinks, botLinksOf("http://localhost:3000")),
  Layer.succeed(StripeGateway, notConfiguredStripeGateway),
  PolarGatewayOf({ apiBase: undefined })
)

/**
 * The test runtime: a core built from `parts` (see makeCore) over in-memory
 * repositories and an in-memory Discord (DiscordRolesMemoryControl inspects
 * it), on the TestClock (time moves only when a test adjusts it). Stripe is
 * not configured; Polar calls go to Polar's API with the tenant's token, so
 * tests point the core at fakes of their own. Also what an embedding backend
 * uses for its contract tests, with its own features, commands and plans.
 */
export const makeTestRuntime = (parts: Partial<CoreParts> = {}) =>
  makeCore(parts).pipe(
    Layer.provideMerge(Layer.mergeAll(RepositoriesMemory, QuotaStoreMemory, ReadinessMemory, TestOutsideSystems)),
    Layer.provideMerge(TestContext.TestContext)
  )

/** The test runtime with the built-in parts. */
export const TestRuntime = makeTestRuntime()
