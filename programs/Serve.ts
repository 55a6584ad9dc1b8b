import { Effect, Layer } from "effect"
import { runnerFor } from "./Runner.js"
import type { RunMode } from "./Settings.js"

/** Runs until interrupted (SIGTERM/SIGINT): the server stops accepting, finishes in-flight requests, then the database closes. */
export const serve = (mode: RunMode) =>
  Layer.launch(runnerFor(mode)).pipe(
    Effect.onInterrupt(() => Effect.logInfo("stopped: requests drained, database closed"))
  )
