import { Config, Effect, Layer } from "effect"
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
 */
export const ExportSettingsLive = Layer.effect(
  ExportSettings,
  Effect.map(
    Effect.all([keyList("GUILDHALL_LICENSE_PUBLIC_KEY"), keyList("GUILDHALL_EXPORT_TRUSTED_KEYS")]),
    ([license, trusted]) => ({ ...ExportSettings.defaults, trustedKeys: [...license, ...trusted] })
  )
)

/** Exports, imports and the offboarding flows, over the license server (the move to self-host issues a license). */
export const HostingLive = Offboarding.layer.pipe(
  Layer.provideMerge(Exports.layer),
  Layer.provideMerge(Layer.mergeAll(ExportSettingsLive, OffboardingPolicy.layer(), ArchiveCodecTarGz)),
  Layer.provideMerge(LicensesLive)
)
