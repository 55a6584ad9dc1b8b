import { Config, Option } from "effect"

/** Where the Polar SDK sends requests. */
export interface PolarSettings {
  /** The API's base URL (the SDK's `baseUrl`); undefined for Polar's production API, the SDK's default. */
  readonly apiBase: string | undefined
}

/** POLAR_API_BASE (optional): a sandbox (https://sandbox-api.polar.sh) or a local fake in tests. */
export const PolarSettingsConfig: Config.Config<PolarSettings> = Config.option(Config.url("POLAR_API_BASE")).pipe(
  Config.map((url) => ({ apiBase: Option.getOrUndefined(Option.map(url, (u) => u.toString().replace(/\/+$/, ""))) }))
)
