import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { runCli } from "./cli.js"
import { LoggingLive } from "./Logging.js"

runCli(process.argv).pipe(
  Effect.provide(Layer.merge(NodeContext.layer, LoggingLive)),
  // Our own logger (JSON when not a terminal) replaces the default one; runMain's pretty logger would hide it.
  NodeRuntime.runMain({ disablePrettyLogger: true })
)
