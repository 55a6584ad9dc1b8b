import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import {
  defineFeature,
  encodeFeatureConfig,
  paidRolesFeature,
  readFeatureConfig,
  validateFeatureConfig,
  welcomeFeature,
  xpFeature
} from "../../core/index.js"

/**
 * A feature at config version 3 with a history:
 * v1 { text }  ->  v2 { message } (renamed)  ->  v3 { message, repeat } (repeat: a number, was "times" text).
 */
const Config = Schema.Struct({
  message: Schema.String,
  repeat: Schema.Int.pipe(Schema.positive()),
  loud: Schema.Boolean
})
const versioned = defineFeature<typeof Config.Type>({
  key: "echo",
  name: "Echo",
  description: "Echoes",
  requires: null,
  access: "write",
  commands: [],
  config: {
    schema: Config,
    defaults: { message: "hi", repeat: 1, loud: false },
    version: 3,
    migrations: [
      // Out of order on purpose: the chain follows `from`, not the array order.
      {
        from: 2,
        migrate: (config) => {
          const { times, ...rest } = config as { times?: string }
          return times === undefined ? rest : { ...rest, repeat: Number(times) }
        }
      },
      {
        from: 1,
        migrate: (config) => {
          const { text, ...rest } = config as { text: string }
          return { ...rest, message: text }
        }
      }
    ]
  }
})

describe("readFeatureConfig", () => {
  it.effect("runs every migration from the stored version up, in order, then fills defaults", () =>
    Effect.gen(function*() {
      expect(yield* readFeatureConfig(versioned, { text: "old", times: "3" }, 1)).toEqual({
        message: "old",
        repeat: 3,
        loud: false
      })
      expect(yield* readFeatureConfig(versioned, { message: "mid", times: "2", loud: true }, 2)).toEqual({
        message: "mid",
        repeat: 2,
        loud: true
      })
    }))

  it.effect("a current config is only validated and completed with defaults", () =>
    Effect.gen(function*() {
      expect(yield* readFeatureConfig(versioned, { message: "now" }, 3)).toEqual({
        message: "now",
        repeat: 1,
        loud: false
      })
    }))

  it.effect("a feature never configured reads as its defaults, whatever the version", () =>
    Effect.gen(function*() {
      expect(yield* readFeatureConfig(versioned, null, 1)).toEqual(versioned.config.defaults)
      expect(yield* readFeatureConfig(welcomeFeature, undefined, 1)).toEqual({
        channelId: null,
        template: "Welcome {user} to {guild}!"
      })
    }))

  it.effect("fails with the schema's message when the migrated config is invalid", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(readFeatureConfig(versioned, { text: "x", times: "zero" }, 1))
      expect(error._tag).toBe("InvalidFeatureConfig")
      expect(error.message).toBe("Invalid config for 'echo': repeat: Expected an integer, actual NaN")
    }))

  it.effect("fails when a migration is missing, or the config is from a newer version", () =>
    Effect.gen(function*() {
      const gap = defineFeature({
        ...versioned,
        config: { ...versioned.config, migrations: [versioned.config.migrations[1]!] }
      })
      const missing = yield* Effect.flip(readFeatureConfig(gap, { text: "x" }, 1))
      expect(missing._tag).toBe("ConfigMigrationMissing")
      expect(missing.message).toBe("No config migration for 'echo' from version 2 to 3")
      const newer = yield* Effect.flip(readFeatureConfig(versioned, { message: "x" }, 4))
      expect(newer._tag).toBe("ConfigMigrationMissing")
      expect(newer.message).toContain("newer version (4)")
    }))

  it.effect("a migration that throws is an invalid config, not a defect", () =>
    Effect.gen(function*() {
      const broken = defineFeature({
        ...versioned,
        config: {
          ...versioned.config,
          migrations: [...versioned.config.migrations, {
            from: 0,
            migrate: () => {
              throw new Error("boom")
            }
          }]
        }
      })
      const error = yield* Effect.flip(readFeatureConfig(broken, {}, 0))
      expect(error._tag).toBe("InvalidFeatureConfig")
      expect(error.message).toContain("migration from version 0 failed: Error: boom")
    }))
})

describe("validateFeatureConfig", () => {
  it.effect("accepts a built-in feature's config and fills in what is missing", () =>
    Effect.gen(function*() {
      expect(yield* validateFeatureConfig(xpFeature, { pointsPerMessage: 5 })).toEqual({
        pointsPerMessage: 5,
        cooldownSeconds: 60,
        levelRoles: []
      })
      expect(yield* validateFeatureConfig(welcomeFeature, { channelId: "123456789012345678" })).toEqual({
        channelId: "123456789012345678",
        template: "Welcome {user} to {guild}!"
      })
    }))

  it.effect("rejects an invalid config with a message naming the field", () =>
    Effect.gen(function*() {
      const badChannel = yield* Effect.flip(validateFeatureConfig(welcomeFeature, { channelId: "general" }))
      expect(badChannel.message).toBe(
        "Invalid config for 'welcome': channelId: Expected a Discord id: 17–20 digits as a string, " +
          "e.g. \"123456789012345678\"; got \"general\" (also accepted: null)"
      )
      const product = {
        roleId: "123456789012345678",
        name: "VIP",
        price: { minor: 500, currency: "usd" },
        durationDays: 30,
        providers: ["stripe"]
      }
      const badCurrency = yield* Effect.flip(validateFeatureConfig(paidRolesFeature, { products: [product] }))
      expect(badCurrency.message).toContain("products[0].price.currency")
      const twice = { ...product, price: { minor: 500, currency: "USD" } }
      const duplicate = yield* Effect.flip(validateFeatureConfig(paidRolesFeature, { products: [twice, twice] }))
      expect(duplicate.message).toContain("Each role can be sold by one product only")
      const noProvider = yield* Effect.flip(
        validateFeatureConfig(paidRolesFeature, { products: [{ ...twice, providers: [] }] })
      )
      expect(noProvider.message).toContain("products[0].providers")
    }))

  it.effect("refuses a field the feature's config does not have, naming it and the accepted ones", () =>
    Effect.gen(function*() {
      const typo = yield* Effect.flip(validateFeatureConfig(welcomeFeature, { chanelId: "123456789012345678" }))
      expect(typo.message).toBe(
        "Invalid config for 'welcome': chanelId: is not a known field; the accepted fields are channelId, template"
      )
    }))

  it.effect("merges into the config in force: a field it does not give keeps its value", () =>
    Effect.gen(function*() {
      const current = yield* validateFeatureConfig(welcomeFeature, { channelId: "123456789012345678" })
      expect(yield* validateFeatureConfig(welcomeFeature, { template: "Hi {user}" }, current)).toEqual({
        channelId: "123456789012345678",
        template: "Hi {user}"
      })
    }))

  it.effect("encodes a config for storage, and reading it back gives it again", () =>
    Effect.gen(function*() {
      const config = yield* validateFeatureConfig(xpFeature, {
        levelRoles: [{ level: 5, roleId: "223456789012345678" }]
      })
      const stored = JSON.parse(JSON.stringify(yield* encodeFeatureConfig(xpFeature, config)))
      expect(yield* readFeatureConfig(xpFeature, stored, xpFeature.config.version)).toEqual(config)
    }))
})
