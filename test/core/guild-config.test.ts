import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { GuildConfigLayer, GuildSettings, platformDefaults, resolveSettings } from "../../core/index.js"

describe("resolveSettings", () => {
  it("returns the platform defaults when no other layer is set", () => {
    expect(resolveSettings({ platform: platformDefaults })).toEqual(platformDefaults)
  })

  it("applies guild > tenant > plan > platform", () => {
    const settings = resolveSettings({
      platform: platformDefaults,
      plan: { locale: "fr", timezone: "Europe/Paris" },
      tenant: { locale: "de" },
      guild: { locale: "vi" }
    })
    expect(settings.locale).toBe("vi")
    expect(settings.timezone).toBe("Europe/Paris")
  })

  it("merges per-feature settings key by key and replaces arrays whole", () => {
    const settings = resolveSettings({
      platform: { ...platformDefaults, modRoleIds: ["111111111111111111" as never] },
      tenant: { features: { welcome: { channel: "a", template: "Hi" } } },
      guild: { features: { welcome: { channel: "b" } }, modRoleIds: [] }
    })
    expect(settings.features).toEqual({ welcome: { channel: "b", template: "Hi" } })
    expect(settings.modRoleIds).toEqual([])
  })

  it("every resolved result is valid settings", () => {
    const settings = resolveSettings({ platform: platformDefaults, guild: { timezone: "Asia/Ho_Chi_Minh" } })
    expect(Either.isRight(Schema.decodeUnknownEither(GuildSettings)(settings))).toBe(true)
  })
})

describe("GuildConfigLayer", () => {
  const decode = Schema.decodeUnknownEither(GuildConfigLayer)

  it("accepts a partial layer", () => {
    expect(Either.isRight(decode({ locale: "en-GB" }))).toBe(true)
  })

  it("rejects a malformed value with a message a person can act on", () => {
    const result = decode({ timezone: "not a zone" })
    expect(Either.isLeft(result) && String(result.left)).toMatch(/IANA time zone/)
  })

  it("rejects role ids that are not snowflakes", () => {
    expect(Either.isLeft(decode({ adminRoleIds: ["admin"] }))).toBe(true)
  })
})
