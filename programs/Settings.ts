import { Config, ConfigError, Effect, Layer, Option } from "effect"
import { returnLinksOf } from "../adapters/http/index.js"
import { type RoundTripSavings, roundTripSavings } from "../adapters/postgres/index.js"
import { BotLinks, modeSpellings } from "../core/index.js"

export type RunMode = "hosted" | "self-host"

/** The run mode each spelling of a mode means (`self_host` documented, `self-host` accepted; see modeSpellings). */
export const runModeSpellings: Array<[spelling: string, mode: RunMode]> = modeSpellings.map((
  [spelling, mode]
) => [spelling, mode === "self_host" ? "self-host" : "hosted"])

export const RunMode = Config.literal(...modeSpellings.map(([spelling]) => spelling))("GUILDHALL_MODE").pipe(
  Config.map((spelled): RunMode => runModeSpellings.find(([spelling]) => spelling === spelled)![1]),
  Config.withDefault<RunMode>("hosted")
)

/** Everything the runner reads from the environment; docs/OPERATIONS.md lists each one. */
export const ServeSettings = Config.all({
  port: Config.port("PORT").pipe(Config.withDefault(3000)),
  host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0")),
  publicUrl: Config.string("GUILDHALL_PUBLIC_URL").pipe(Config.option),
  selfHostTenantName: Config.string("GUILDHALL_TENANT_NAME").pipe(Config.withDefault("Self-hosted")),
  /** Effect spans per HTTP request (ADR 084): worth their cost only when a Tracer exports them. */
  tracing: Config.literal("on", "off")("GUILDHALL_TRACING").pipe(
    Config.withDefault("off"),
    Config.map((value) => value === "on")
  )
})
export type ServeSettings = Config.Config.Success<typeof ServeSettings>

/** The URL people reach the server at, for the boot banner. */
export const publicUrlOf = (settings: ServeSettings): string =>
  Option.getOrElse(settings.publicUrl, () => `http://localhost:${settings.port}`).replace(/\/$/, "")

/** Pages on the public site (GUILDHALL_PUBLIC_URL) a checkout started from Discord returns to. */
export const botLinksOf = (publicUrl: string) => {
  const links = returnLinksOf(publicUrl)
  return BotLinks.of({ checkoutSuccessUrl: links.successUrl, checkoutCancelUrl: links.cancelUrl })
}

export const BotLinksLive = Layer.effect(
  BotLinks,
  Effect.map(ServeSettings, (settings) => botLinksOf(publicUrlOf(settings)))
)

/** The job worker: GUILDHALL_JOBS=off runs a replica that serves requests but takes no jobs. */
export const JobSettings = Config.all({
  enabled: Config.literal("on", "off")("GUILDHALL_JOBS").pipe(Config.withDefault("on"), Config.map((v) => v === "on")),
  concurrency: Config.integer("GUILDHALL_JOB_CONCURRENCY").pipe(Config.withDefault(4)),
  pollInterval: Config.duration("GUILDHALL_JOB_POLL_INTERVAL").pipe(Config.withDefault("250 millis"))
})

export const DatabaseSettings = Config.all({
  /** A Postgres server; when unset, the embedded PGlite database is used. */
  url: Config.redacted("DATABASE_URL").pipe(Config.option),
  dataDir: Config.string("GUILDHALL_DATA_DIR").pipe(Config.withDefault("./.guildhall")),
  /**
   * The round-trip savings on the server (ADR 101). GUILDHALL_DB_PREPARED_STATEMENTS=false, the setting
   * before it, still turns off prepared statements alone.
   */
  roundTripSavings: Config.literal(...roundTripSavings)("GUILDHALL_DB_ROUND_TRIP_SAVINGS").pipe(
    Config.orElseIf({
      if: ConfigError.isMissingDataOnly,
      orElse: () =>
        Config.boolean("GUILDHALL_DB_PREPARED_STATEMENTS").pipe(
          Config.map((prepared): RoundTripSavings => prepared ? "all" : "all-but-prepared-statements")
        )
    }),
    Config.withDefault<RoundTripSavings>("all")
  )
})
