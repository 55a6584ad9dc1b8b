import { Context, Duration, Layer } from "effect"

/** How exports are kept and which archives this install imports. */
export interface ExportSettingsService {
  /** Public keys (base64url) besides this server's own whose archives are imported (the license server's). */
  readonly trustedKeys: ReadonlyArray<string>
  /** How long a ready archive is kept. */
  readonly retention: Duration.Duration
  /** How long a download link works. */
  readonly linkTtl: Duration.Duration
  /** The most an imported archive may unpack to: past it, unpacking stops and the import is refused. */
  readonly maxUnpackedBytes: number
}

export class ExportSettings extends Context.Tag("core/ExportSettings")<ExportSettings, ExportSettingsService>() {
  static readonly defaults: ExportSettingsService = {
    trustedKeys: [],
    retention: Duration.days(7),
    linkTtl: Duration.minutes(15),
    maxUnpackedBytes: 1024 * 1024 * 1024
  }
  static readonly layer = (settings: Partial<ExportSettingsService> = {}) =>
    Layer.succeed(ExportSettings, { ...ExportSettings.defaults, ...settings })
}
