import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Layer } from "effect"
import { failureExplained, runCli } from "./cli.js"
import { LoggingLive } from "./Logging.js"

runCli(process.argv).pipe(
  // runMain's own error report, without the failures the CLI has already explained on stderr.
  Effect.tapErrorCause((cause) =>
    Cause.isInterruptedOnly(cause) || failureExplained(cause) ? Effect.void : Effect.logError(cause)
  ),
  Effect.provide(Layer.merge(NodeContext.layer, LoggingLive)),
  // Our own logger (JSON when not a terminal) replaces the default one; runMain's pretty logger would hide it.
  NodeRuntime.runMain({ disablePrettyLogger: true, disableErrorReporting: true })
)
