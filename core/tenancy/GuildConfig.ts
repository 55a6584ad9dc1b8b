import { Schema } from "effect"
import { RoleId } from "../ids.js"

/**
 * Guild settings, resolved from four layers: guild override > tenant default >
 * plan default > platform default. The platform default is complete; every
 * other layer is a partial that only names what it changes.
 */
export const GuildSettings = Schema.Struct({
  locale: Schema.String.pipe(
    Schema.pattern(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, {
      message: () => "Expected a BCP 47 locale such as 'en-US' or 'vi'"
    })
  ),
  timezone: Schema.String.pipe(
    Schema.pattern(/^(UTC|[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/, {
      message: () => "Expected an IANA time zone such as 'UTC' or 'Asia/Ho_Chi_Minh'"
    })
  ),
  /** Members with one of these roles have the `mod` level. */
  modRoleIds: Schema.Array(RoleId),
  /** Members with one of these roles have the `admin` level. */
  adminRoleIds: Schema.Array(RoleId),
  /** Per-feature settings, keyed by feature key; each feature validates its own part. */
  features: Schema.Record({ key: Schema.String, value: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
})
export type GuildSettings = typeof GuildSettings.Type

/** One layer: any subset of the settings. */
export const GuildConfigLayer = Schema.partial(GuildSettings)
export type GuildConfigLayer = typeof GuildConfigLayer.Type

export const platformDefaults: GuildSettings = {
  locale: "en-US",
  timezone: "UTC",
  modRoleIds: [],
  adminRoleIds: [],
  features: {}
}

export interface ConfigLayers {
  readonly platform: GuildSettings
  readonly plan?: GuildConfigLayer | undefined
  readonly tenant?: GuildConfigLayer | undefined
  readonly guild?: GuildConfigLayer | undefined
}

type Json = unknown

const isRecord = (value: Json): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Objects merge key by key; anything else (arrays included) is replaced by the upper layer. */
const mergeInto = (lower: Json, upper: Json): Json => {
  if (upper === undefined) return lower
  if (!isRecord(lower) || !isRecord(upper)) return upper
  const merged: Record<string, Json> = { ...lower }
  for (const [key, value] of Object.entries(upper)) merged[key] = mergeInto(lower[key], value)
  return merged
}

/** The effective settings of a guild: each layer overrides the ones below it. */
export const resolveSettings = (layers: ConfigLayers): GuildSettings =>
  [layers.plan, layers.tenant, layers.guild].reduce<Json>(mergeInto, layers.platform) as GuildSettings
