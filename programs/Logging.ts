import { Config, Effect, Layer, Logger, LogLevel } from "effect"

const LogFormat = Config.literal("auto", "json", "pretty")("LOG_FORMAT").pipe(Config.withDefault("auto"))

/** JSON lines when stdout is not a terminal (containers, log shippers); readable lines on a terminal. */
export const LoggingLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const format = yield* LogFormat
    const level = yield* Config.logLevel("LOG_LEVEL").pipe(Config.withDefault(LogLevel.Info))
    const json = format === "json" || (format === "auto" && !process.stdout.isTTY)
    return Layer.merge(
      json ? Logger.json : Logger.pretty,
      Logger.minimumLogLevel(level)
    )
  })
)
