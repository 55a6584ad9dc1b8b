import { Config, Duration, Effect, Layer, Option } from "effect"
import { ArchiveCodecTarGz } from "../adapters/archive/index.js"
import { Exports, ExportSettings, Offboarding, OffboardingPolicy } from "../core/index.js"
import { LicensesLive } from "./Licensing.js"

const keyList = (name: string) =>
  Config.string(name).pipe(
    Config.withDefault(""),
    Config.map((value) => value.split(",").map((key) => key.trim()).filter((key) => key !== ""))
  )

/**
 * Archives signed by this server are always imported; so are the license
 * server's (GUILDHALL_LICENSE_PUBLIC_KEY: a self-host install imports what
 * the hosted platform exported) and any key in GUILDHALL_EXPORT_TRUSTED_KEYS.
 * GUILDHALL_IMPORT_MAX_UNPACKED_MIB caps what an archive may unpack to (POST
 * /imports and `guildhall import` alike).
 */
export const ExportSettingsLive = Layer.effect(
  ExportSettings,
  Effect.map(
    Effect.all([
      keyList("GUILDHALL_LICENSE_PUBLIC_KEY"),
      keyList("GUILDHALL_EXPORT_TRUSTED_KEYS"),
      Config.integer("GUILDHALL_IMPORT_MAX_UNPACKED_MIB").pipe(
        Config.validate({ message: "Expected a whole number of MiB, at least 1", validation: (mib) => mib >= 1 }),
        Config.option
      )
    ]),
    ([license, trusted, maxUnpackedMib]) => ({
      ...ExportSettings.defaults,
      trustedKeys: [...license, ...trusted],
      ...(Option.isSome(maxUnpackedMib) ? { maxUnpackedBytes: maxUnpackedMib.value * 1024 * 1024 } : {})
    })
  )
)

/**
 * GUILDHALL_NONPAYMENT: offboard (default: an unpaid tenant is retired when
 * its read-only period ends, then purged) or downgrade (it falls back to the
 * free plan); GUILDHALL_OFFBOARDING_RETENTION_DAYS: how long a removed or
 * unpaid tenant's data is kept before the purge (default 30).
 */
export const OffboardingPolicyLive = Layer.effect(
  OffboardingPolicy,
  Effect.map(
    Effect.all([
      Config.literal("offboard", "downgrade")("GUILDHALL_NONPAYMENT").pipe(Config.withDefault("offboard" as const)),
      Config.integer("GUILDHALL_OFFBOARDING_RETENTION_DAYS").pipe(
        Config.validate({ message: "Expected a whole number of days, at least 1", validation: (days) => days >= 1 }),
        Config.withDefault(30)
      )
    ]),
    ([nonPayment, retentionDays]) => ({
      ...OffboardingPolicy.defaults,
      nonPayment,
      retention: Duration.days(retentionDays)
    })
  )
)

/** Exports, imports and the offboarding flows, over the license server (the move to self-host issues a license). */
export const HostingLive = Offboarding.layer.pipe(
  Layer.provideMerge(Exports.layer),
  Layer.provideMerge(Layer.mergeAll(ExportSettingsLive, OffboardingPolicyLive, ArchiveCodecTarGz)),
  Layer.provideMerge(LicensesLive)
)
