import { Layer, TestContext } from "effect"
import { QuotaStoreMemory, ReadinessMemory, RepositoriesMemory } from "../adapters/memory/index.js"
import { CoreLive } from "./CoreLive.js"

/**
 * The test runtime: the same core over in-memory repositories, on the
 * TestClock (time moves only when a test adjusts it). Also what an embedding
 * backend uses for its own contract tests.
 */
export const TestRuntime = CoreLive.pipe(
  Layer.provideMerge(Layer.mergeAll(RepositoriesMemory, QuotaStoreMemory, ReadinessMemory)),
  Layer.provideMerge(TestContext.TestContext)
)
